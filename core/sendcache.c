/* core/sendcache.c: read-only copies of large store values for sendfile, in unnamed files
 * or sealed memfds (see sendcache.h for why). A chained hash table finds an entry by where
 * the value lies; a doubly linked list keeps entries from most to least recently used,
 * and eviction takes from its tail. An entry without a descriptor only remembers that the
 * value was asked for once. */
#include "sendcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
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
    char *dir;    /* where unnamed files go; NULL once that failed (memfd from then on) */
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

sendcache_t *sendcache_new(size_t max_files, const char *dir)
{
    sendcache_t *c = util_calloc(1, sizeof *c);
    c->max_files = max_files;
    c->dir = dir ? util_strdup(dir) : NULL;
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

static bool write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false; /* ENOSPC among others: the caller writes from the map */
        done += (size_t)n;
    }
    return true;
}

/* An unnamed file in dir holding data[0, len), open read-only; -1 when that fails
 * (*unsupported: the folder cannot take unnamed files at all, so stop trying). */
static int tmpfile_copy(const char *dir, const void *data, size_t len, bool *unsupported)
{
    int wfd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (wfd < 0) {
        *unsupported = errno == EOPNOTSUPP || errno == EISDIR || errno == EACCES ||
                       errno == EPERM || errno == ENOENT || errno == EROFS;
        return -1;
    }
    int fd = -1;
    if (write_all(wfd, data, len)) {
        /* The writable descriptor goes: only a read-only one is kept. */
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", wfd);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            *unsupported = true; /* no /proc to reopen through: memfds from now on */
    }
    close(wfd);
    return fd;
}

/* A memfd holding data[0, len), sealed so that not even a bug here could change bytes the
 * kernel is still sending; -1 when that fails. */
static int memfd_copy(const void *data, size_t len)
{
    int fd = memfd_create("jiyue-sendcache", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -1;
    if (!write_all(fd, data, len) ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The store's filesystem keeps this much free for imports before a copy goes there: the
 * cache must never be why an import meets a full disk. */
#define DISK_RESERVE ((uint64_t)256 * 1024 * 1024)

static bool disk_has_room(const char *dir, size_t len)
{
    struct statvfs st;
    return statvfs(dir, &st) == 0 && (uint64_t)st.f_bavail * st.f_frsize >= DISK_RESERVE + len;
}

static int make_copy(sendcache_t *c, const void *data, size_t len)
{
    if (c->dir && disk_has_room(c->dir, len)) {
        bool unsupported = false;
        int fd = tmpfile_copy(c->dir, data, len, &unsupported);
        if (fd >= 0 || !unsupported)
            return fd;
        free(c->dir);
        c->dir = NULL;
    }
    return memfd_copy(data, len);
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
    int fd = make_copy(c, data, len);
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
    free(c->dir);
    free(c);
}
