build-clang/modules/search/search_query.o: modules/search/search_query.c \
  modules/search/search_query.h modules/search/search_index.h \
  core/store.h core/rec.h core/util.h modules/search/search_keys.h \
  modules/search/search_postings.h modules/search/search_text.h \
  core/store_keys.h

modules/search/search_query.h:

modules/search/search_index.h:

core/store.h:

core/rec.h:

core/util.h:

modules/search/search_keys.h:

modules/search/search_postings.h:

modules/search/search_text.h:

core/store_keys.h:
