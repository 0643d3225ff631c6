/* core/sendcache.h: a worker's cache of read-only files holding copies of large store
 * values, so plain-HTTP responses can send them with sendfile(2) instead of write(2).
 *
 * Why: write() copies every byte from the LMDB map into the socket; sendfile() hands the
 * kernel references to the file's pages. Sending straight from data.mdb is not safe: the
 * kernel may still hold references to a page after our read transaction ends, and LMDB's
 * writer may then reuse that page, so a client could receive bytes of a later import. A
 * private copy that nothing can write to cannot change under the kernel.
 *
 * Where: an unnamed file (O_TMPFILE) on the store's own filesystem, reopened read-only so
 * that no writable descriptor remains; the page cache of a disk filesystem hands sendfile
 * large folios, which costs the kernel less per response than tmpfs's 4 KiB pages (100 KB
 * asset: 24.7 against 27.1 µs of server CPU). Where that is not possible (a filesystem
 * without O_TMPFILE, no write access, less than 256 MiB free: imports come first) a memfd
 * sealed against writes is used instead.
 *
 * One cache per worker thread (no locks). A value is copied on its second request while
 * it is still remembered (a value asked for once is not worth a copy), and the cache keeps
 * at most SENDCACHE_MAX_BYTES of copies, least recently used out first.
 *
 * Not in wcache.h's per-worker cache on purpose: its entries are open files on disk
 * (counted against the filesystem's free space and the descriptor limit, not memory), a
 * value earns a copy only on its second request (wcache keeps what it is given), and an
 * entry stays valid across snapshots as long as the store value is the same (it is keyed
 * by the value's identity, not by a generation or transaction stamp). */
#ifndef JIYUE_SENDCACHE_H
#define JIYUE_SENDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Values below this size are written: for them a copy costs less than the extra system
 * call and page references of sendfile. Measured on the bench corpus, 1 worker: a 12.5 KB
 * page cost 9.4-9.8 µs of server CPU written and 11.1-11.4 µs sent from a copy (memfd);
 * the 100 KB asset 27.1 µs written and 24.7 µs sent from a copy (unnamed file). */
#define SENDCACHE_MIN_BYTES (48 * 1024)
#define SENDCACHE_MAX_BYTES (64u * 1024 * 1024)
#define SENDCACHE_MAX_ENTRIES 4096 /* remembered values, copied or not */

typedef struct sendcache sendcache_t;

/* max_files bounds the descriptors the cache may hold open (0 disables it); dir is where
 * the unnamed files go (the store's folder; NULL: memfd only). */
sendcache_t *sendcache_new(size_t max_files, const char *dir);
/* Descriptors all caches together may hold: a share of the process's open-file limit
 * small enough that connections keep most of it. */
size_t sendcache_default_files(void);
void sendcache_free(sendcache_t *c);

/* A descriptor whose bytes [0, len) equal data[0, len), or -1 (not worth it yet, or the
 * copy failed: the caller writes from data). The value is known by where it lies in the
 * map, its length and its stored hash (`tag`, 8 bytes): LMDB never changes a value in
 * place while a reader may see it, so a different value at the same place has a different
 * hash. The descriptor stays valid until sendcache_release_evicted(). */
int sendcache_fd(sendcache_t *c, const void *data, size_t len, const char *tag, size_t tag_len);

/* Closes the descriptors evicted since the last call. The worker calls this once per loop
 * iteration, after every batch that could refer to them has been written. */
void sendcache_release_evicted(sendcache_t *c);

typedef struct sendcache_stats {
    uint64_t hits, copies, misses;
    size_t files, bytes;
} sendcache_stats_t;
void sendcache_stats(const sendcache_t *c, sendcache_stats_t *out);

#endif
