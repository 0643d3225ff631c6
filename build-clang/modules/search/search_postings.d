build-clang/modules/search/search_postings.o: \
  modules/search/search_postings.c modules/search/search_postings.h \
  core/store.h core/util.h modules/search/search_keys.h \
  core/store_keys.h

modules/search/search_postings.h:

core/store.h:

core/util.h:

modules/search/search_keys.h:

core/store_keys.h:
