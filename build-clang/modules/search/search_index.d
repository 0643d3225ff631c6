build-clang/modules/search/search_index.o: modules/search/search_index.c \
  modules/search/search_index.h core/store.h core/rec.h core/util.h \
  modules/search/search_keys.h modules/search/search_postings.h \
  modules/search/search_text.h core/store_keys.h

modules/search/search_index.h:

core/store.h:

core/rec.h:

core/util.h:

modules/search/search_keys.h:

modules/search/search_postings.h:

modules/search/search_text.h:

core/store_keys.h:
