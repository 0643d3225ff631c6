/* core/sendcache.c: sealed memfd copies of large store values for sendfile (see
 * sendcache.h for why). A chained hash table finds an entry by where the value lies; a
 * doubly linked list keeps entries from most to least recently used, and eviction takes
 * from its tail. An entry without a descriptor only remembers that the value was asked for
 * once. */
#include "sendcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util.h"

#define NBUCKETS 2048 /* power of two; about half of SENDCACHE_MAX_ENTRIES */
#define TAG_MAX 24
#define FD_NONE (-1)   /* asked for once, no copy yet */
#define FD_FAILED (-2) /* the copy failed: do not retry until the entry is evicted */

typedef struct entry {
    struct entry *hnext;       /* bucket chain */
    struct entry *prev, *next; /* recency list, prev towards the most recent */
    const void *data;
    size_t len;
    char tag[TAG_MAX];
    uint8_t tag_len;
    int fd;
} entry_t;

struct sendcache {
    entry_t *buckets[NBUCKETS];
    entry_t *head, *tail;
    size_t nentries, nfiles, bytes, max_files;
    int *evicted; /* descriptors to close at the next sendcache_release_evicted() */
    size_t nevicted, evicted_cap;
    sendcache_stats_t st;
};

size_t sendcache_default_files(void)
{
    /* An eighth of the descriptor limit: connections and the store need the rest. */
    struct rlimit rl;
    rlim_t lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
    return lim == RLIM_INFINITY || lim > 8192 ? 1024 : (size_t)lim / 8;
}

sendcache_t *sendcache_new(size_t max_files)
{
    sendcache_t *c = util_calloc(1, sizeof *c);
    c->max_files = max_files;
    return c;
}

static size_t bucket_of(const void *data, size_t len)
{
    uint64_t h = (uint64_t)(uintptr_t)data * 0x9E3779B97F4A7C15ull ^ len;
    return (size_t)(h >> 40) & (NBUCKETS - 1);
}

static void list_unlink(sendcache_t *c, entry_t *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void list_push_front(sendcache_t *c, entry_t *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

/* The entry's copy goes; its descriptor is closed later, since a response still waiting
 * in the worker's batch may refer to it. */
static void drop_copy(sendcache_t *c, entry_t *e)
{
    if (e->fd >= 0) {
        if (c->nevicted == c->evicted_cap) {
            c->evicted_cap = c->evicted_cap ? 2 * c->evicted_cap : 16;
            c->evicted = util_realloc(c->evicted, c->evicted_cap * sizeof *c->evicted);
        }
        c->evicted[c->nevicted++] = e->fd;
        c->nfiles--;
        c->bytes -= e->len;
    }
    e->fd = FD_NONE;
}

static void remove_entry(sendcache_t *c, entry_t *e)
{
    entry_t **pp = &c->buckets[bucket_of(e->data, e->len)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    list_unlink(c, e);
    drop_copy(c, e);
    c->nentries--;
    free(e);
}

/* A sealed memfd holding data[0, len), or -1. Sealed so that not even a bug here could
 * change bytes the kernel is still sending. */
static int make_copy(const void *data, size_t len)
{
    int fd = memfd_create("jiyue-sendcache", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    const char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        done += (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
        goto fail;
    return fd;
fail:
    close(fd);
    return -1;
}

/* Makes room for a copy of len bytes (and its descriptor) by evicting from the least
 * recently used end, never `keep`. */
static void make_room(sendcache_t *c, size_t len, const entry_t *keep)
{
    entry_t *e = c->tail;
    while (e && (c->bytes + len > SENDCACHE_MAX_BYTES || c->nfiles + 1 > c->max_files)) {
        entry_t *prev = e->prev;
        if (e != keep)
            remove_entry(c, e);
        e = prev;
    }
}

int sendcache_fd(sendcache_t *c, const void *data, size_t len, const char *tag, size_t tag_len)
{
    if (len < SENDCACHE_MIN_BYTES || len > SENDCACHE_MAX_BYTES || tag_len > TAG_MAX ||
        c->max_files == 0)
        return -1;
    size_t b = bucket_of(data, len);
    entry_t *e = c->buckets[b];
    while (e && !(e->data == data && e->len == len))
        e = e->hnext;
    if (!e) {
        if (c->nentries >= SENDCACHE_MAX_ENTRIES)
            remove_entry(c, c->tail);
        e = util_calloc(1, sizeof *e);
        e->data = data;
        e->len = len;
        memcpy(e->tag, tag, tag_len);
        e->tag_len = (uint8_t)tag_len;
        e->fd = FD_NONE;
        e->hnext = c->buckets[b];
        c->buckets[b] = e;
        c->nentries++;
        list_push_front(c, e);
        c->st.misses++;
        return -1;
    }
    list_unlink(c, e);
    list_push_front(c, e);
    if (e->tag_len != tag_len || memcmp(e->tag, tag, tag_len) != 0) {
        /* Another value now lies where the remembered one did. */
        drop_copy(c, e);
        memcpy(e->tag, tag, tag_len);
        e->tag_len = (uint8_t)tag_len;
        c->st.misses++;
        return -1;
    }
    if (e->fd >= 0) {
        c->st.hits++;
        return e->fd;
    }
    if (e->fd == FD_FAILED)
        return -1;
    make_room(c, len, e);
    if (c->nfiles + 1 > c->max_files || c->bytes + len > SENDCACHE_MAX_BYTES)
        return -1;
    int fd = make_copy(data, len);
    if (fd < 0) {
        e->fd = FD_FAILED;
        return -1;
    }
    e->fd = fd;
    c->nfiles++;
    c->bytes += len;
    c->st.copies++;
    return fd;
}

void sendcache_release_evicted(sendcache_t *c)
{
    for (size_t i = 0; i < c->nevicted; i++)
        close(c->evicted[i]);
    c->nevicted = 0;
}

void sendcache_stats(const sendcache_t *c, sendcache_stats_t *out)
{
    *out = c->st;
    out->files = c->nfiles;
    out->bytes = c->bytes;
}

void sendcache_free(sendcache_t *c)
{
    if (!c)
        return;
    while (c->head)
        remove_entry(c, c->head);
    sendcache_release_evicted(c);
    free(c->evicted);
    free(c);
}
