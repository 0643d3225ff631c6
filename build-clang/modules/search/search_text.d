build-clang/modules/search/search_text.o: modules/search/search_text.c \
  modules/search/search_text.h core/util.h

modules/search/search_text.h:

core/util.h:
