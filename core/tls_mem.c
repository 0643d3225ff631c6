/* core/tls_mem.c: per-thread size-class caches in front of glibc's malloc for OpenSSL's
 * allocations. See tls_mem.h. */
#include "tls_mem.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define TLS_MEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TLS_MEM_ASAN 1
#endif
#endif
#ifdef TLS_MEM_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Size classes: 16-byte steps to 512 (OpenSSL's small objects: contexts, BIGNUMs, params),
 * 64-byte steps to 2 KiB, then 4, 8, 16 and 32 KiB (the record and handshake buffers). */
enum {
    SMALL_CLASSES = 32,  /* 16 .. 512 */
    MEDIUM_CLASSES = 24, /* 576 .. 2048 */
    LARGE_CLASSES = 4,   /* 4096 .. 32768 */
    NCLASSES = SMALL_CLASSES + MEDIUM_CLASSES + LARGE_CLASSES,
    MAX_CLASS_SIZE = 32768,
    BIG = 0xffff, /* above the largest class: glibc's block, not cached */
};

/* Bounds on what a thread keeps per class: enough for a handshake's peak of one size, and
 * never more than 64 KiB of one class (so at most 2.8 MiB a thread in all). */
#define CLASS_MAX_BLOCKS 128u
#define CLASS_MAX_BYTES (64u * 1024u)

#define MAGIC 0x6a6d656du /* "jmem": a pointer this file did not hand out is caught */

/* 16 bytes before every block handed out: keeps the 16-byte alignment malloc gives. */
typedef struct header {
    uint32_t cls;
    uint32_t magic;
    union {
        size_t size;         /* BIG: the size asked for */
        struct header *next; /* in a thread's list */
    } u;
} header_t;

typedef struct thread_cache {
    header_t *head[NCLASSES];
    uint32_t count[NCLASSES];
    bool registered; /* the thread-exit destructor is armed */
    bool ended;      /* the thread is ending: frees go straight to glibc */
} thread_cache_t;

static __thread thread_cache_t cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static unsigned class_of(size_t n)
{
    if (n <= 512)
        return (unsigned)((n - 1) >> 4);
    if (n <= 2048)
        return SMALL_CLASSES + (unsigned)((n - 513) >> 6);
    unsigned c = SMALL_CLASSES + MEDIUM_CLASSES;
    for (size_t s = 4096; s < n; s <<= 1)
        c++;
    return c;
}

/* Each class's block size and how many blocks a thread keeps of it, filled before main():
 * a free looks both up instead of dividing. */
static uint32_t class_size_of[NCLASSES];
static uint32_t class_max_blocks[NCLASSES];

__attribute__((constructor)) static void fill_classes(void)
{
    for (unsigned c = 0; c < NCLASSES; c++) {
        uint32_t size;
        if (c < SMALL_CLASSES)
            size = (c + 1) * 16;
        else if (c < SMALL_CLASSES + MEDIUM_CLASSES)
            size = 512 + (c - SMALL_CLASSES + 1) * 64;
        else
            size = 4096u << (c - SMALL_CLASSES - MEDIUM_CLASSES);
        uint32_t by_bytes = CLASS_MAX_BYTES / size;
        class_size_of[c] = size;
        class_max_blocks[c] = by_bytes < CLASS_MAX_BLOCKS ? by_bytes : CLASS_MAX_BLOCKS;
    }
}

static size_t class_size(unsigned c)
{
    return class_size_of[c];
}

static void drain_at_exit(void *unused)
{
    (void)unused;
    tls_mem_thread_drain();
    cache.ended = true;
}

static void make_key(void)
{
    (void)pthread_key_create(&cache_key, drain_at_exit);
}

/* Arms the destructor that gives a thread's blocks back when it ends: once per thread,
 * the first time it keeps a block. */
static void register_thread(void)
{
    cache.registered = true;
    pthread_once(&cache_key_once, make_key);
    (void)pthread_setspecific(cache_key, &cache);
}

static void *user_of(header_t *h)
{
    return h + 1;
}

static header_t *header_of(const void *p)
{
    return (header_t *)p - 1;
}

void *tls_mem_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    if (n == 0)
        return NULL;
    if (n > MAX_CLASS_SIZE) {
        if (n > SIZE_MAX - sizeof(header_t))
            return NULL;
        header_t *h = malloc(sizeof *h + n);
        if (!h)
            return NULL;
        h->cls = BIG;
        h->magic = MAGIC;
        h->u.size = n;
        return user_of(h);
    }
    unsigned c = class_of(n);
    header_t *h = cache.head[c];
    if (h) {
        cache.head[c] = h->u.next;
        cache.count[c]--;
    } else {
        h = malloc(sizeof *h + class_size(c));
        if (!h)
            return NULL;
        h->cls = c;
        h->magic = MAGIC;
    }
    void *p = user_of(h);
    UNPOISON(p, n);
    POISON((char *)p + n, class_size(c) - n); /* the rounding slack: an overrun there is reported */
    return p;
}

void tls_mem_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    if (!p)
        return;
    header_t *h = header_of(p);
    if (h->magic != MAGIC)
        abort(); /* not a block from here: a double free or a stray pointer */
    if (h->cls == BIG) {
        h->magic = 0;
        free(h);
        return;
    }
    unsigned c = h->cls;
    if (cache.ended || cache.count[c] >= class_max_blocks[c]) {
        h->magic = 0;
        UNPOISON(p, class_size(c)); /* glibc (or ASan's allocator) owns it again */
        free(h);
        return;
    }
    if (!cache.registered)
        register_thread();
    POISON(p, class_size(c));
    h->u.next = cache.head[c];
    cache.head[c] = h;
    cache.count[c]++;
}

size_t tls_mem_usable(const void *p)
{
    const header_t *h = header_of(p);
    return h->cls == BIG ? h->u.size : class_size(h->cls);
}

void *tls_mem_realloc(void *p, size_t n, const char *file, int line)
{
    if (!p)
        return tls_mem_malloc(n, file, line);
    if (n == 0) {
        tls_mem_free(p, file, line);
        return NULL;
    }
    header_t *h = header_of(p);
    if (h->magic != MAGIC)
        abort();
    size_t have = tls_mem_usable(p);
    if (h->cls == BIG && n > MAX_CLASS_SIZE) { /* stays above the classes: glibc moves it */
        if (n > SIZE_MAX - sizeof(header_t))
            return NULL;
        header_t *g = realloc(h, sizeof *g + n);
        if (!g)
            return NULL;
        g->u.size = n;
        return user_of(g);
    }
    if (h->cls != BIG && n <= have) { /* still fits its class: only the slack's poison moves */
        UNPOISON(p, n);
        POISON((char *)p + n, have - n);
        return p;
    }
    void *q = tls_mem_malloc(n, file, line);
    if (!q)
        return NULL; /* p stays valid, as realloc promises */
    UNPOISON(p, have); /* the old size is not kept for classed blocks: copy what can be read */
    memcpy(q, p, have < n ? have : n);
    tls_mem_free(p, file, line);
    return q;
}

tls_mem_stats_t tls_mem_thread_stats(void)
{
    tls_mem_stats_t s = {0, 0};
    for (unsigned c = 0; c < NCLASSES; c++) {
        s.blocks += cache.count[c];
        s.bytes += cache.count[c] * class_size(c);
    }
    return s;
}

void tls_mem_thread_drain(void)
{
    for (unsigned c = 0; c < NCLASSES; c++) {
        header_t *h = cache.head[c];
        while (h) {
            header_t *next = h->u.next;
            h->magic = 0;
            UNPOISON(user_of(h), class_size(c));
            free(h);
            h = next;
        }
        cache.head[c] = NULL;
        cache.count[c] = 0;
    }
}

bool tls_mem_install(void)
{
    return CRYPTO_set_mem_functions(tls_mem_malloc, tls_mem_realloc, tls_mem_free) == 1;
}
