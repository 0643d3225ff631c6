/* core/store.c: the LMDB store behind store.h. The only file that includes <lmdb.h>; key
 * and record layout come from store_keys.h. Lookups (store_page_get) run on every request,
 * so they build the key on the stack, do one mdb_get and allocate nothing. */
#include "store.h"

#include <errno.h>
#include <lmdb.h>
#include <stdatomic.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "store_keys.h"
#include "util.h"
#include "valcache.h"

struct store {
    uint64_t serial; /* unique in this process: names the store in valcache entries */
    MDB_env *env;
    MDB_dbi pages;
    MDB_dbi meta;
    MDB_dbi content;
    bool has_content; /* false: a read-only open of a store that predates "content" */
    bool read_only;
    uintptr_t map_base, map_end; /* where data.mdb is mapped (store_in_map); 0 unknown */
};

struct store_txn {
    store_t *s;
    MDB_txn *txn;
    bool write;
    bool active; /* read txns: between renew and reset */
};

/* The last underlying error in this thread, for store_last_error() and STORE_EIO texts. */
static _Thread_local char tl_last[200];

static void set_last(const char *what, int mrc)
{
    snprintf(tl_last, sizeof tl_last, "%s: %s", what, mdb_strerror(mrc));
}

static int map_rc(int mrc, const char *what)
{
    switch (mrc) {
    case MDB_SUCCESS:
        return STORE_OK;
    case MDB_NOTFOUND:
        return STORE_NOTFOUND;
    default:
        break;
    }
    set_last(what, mrc);
    if (mrc == MDB_MAP_RESIZED)
        snprintf(tl_last, sizeof tl_last,
                 "%s: the store grew past this process's map (store_map_size was raised "
                 "elsewhere): restart to adopt the new size", what);
    switch (mrc) {
    case MDB_MAP_FULL:
        return STORE_EMAPFULL;
    case MDB_READERS_FULL:
        return STORE_EREADERS;
    case EACCES:
    case EROFS:
    case EPERM:
        return STORE_ERDONLY;
    case MDB_BAD_VALSIZE:
        return STORE_EKEY;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
        return STORE_ECORRUPT;
    default:
        return STORE_EIO;
    }
}

const char *store_last_error(void)
{
    return tl_last;
}

const char *store_strerror(int rc)
{
    static _Thread_local char buf[300];
    switch (rc) {
    case STORE_OK:
        return "success";
    case STORE_NOTFOUND:
        return "not found in the store";
    case STORE_EMAPFULL:
        return "store map is full: raise store_map_size in conf/jiyue.yaml";
    case STORE_ERDONLY:
        return "store is read-only (opened read-only, or its folder is not writable)";
    case STORE_ECORRUPT:
        return "store record is corrupt or from a newer version of jiyue";
    case STORE_EKEY:
        return "invalid store key: bad site namespace, path not starting with '/', or too long";
    case STORE_EREADERS:
        return "no free reader slot in the store: too many readers (raise max_readers)";
    case STORE_EIO:
        snprintf(buf, sizeof buf, "store error: %s", tl_last[0] ? tl_last : "unknown");
        return buf;
    default:
        return "unknown store error";
    }
}

/* mkdir -p: the store folder may sit in a var/ that does not exist yet. The folders above
 * it are ordinary ones; the store folder itself is private (0700). */
static int mkdir_p(const char *dir)
{
    char *p = util_strdup(dir);
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0775) != 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    if (rc == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

static void set_err(char **err, const char *fmt, const char *dir, const char *detail)
{
    if (err)
        *err = util_asprintf(fmt, dir, detail);
}

static const char *const store_files[] = {"data.mdb", "lock.mdb"};
#define NSTORE_FILES 2

/* Refuses a store other users may access. Returns 0, or -1 with the fix in *err. What
 * cannot be stat'ed is left to mdb_env_open to report. */
static int check_modes(const char *dir, char **err)
{
    util_buf_t why = {0}, fix = {0};
    struct stat st;
    if (stat(dir, &st) == 0 && (st.st_mode & 077)) {
        util_buf_printf(&why, "folder mode %04o", (unsigned)(st.st_mode & 07777));
        util_buf_printf(&fix, "chmod 700 %s", dir);
    }
    bool files = false;
    for (size_t i = 0; i < NSTORE_FILES; i++) {
        char *path = util_asprintf("%s/%s", dir, store_files[i]);
        if (stat(path, &st) == 0 && (st.st_mode & 077)) {
            util_buf_printf(&why, "%s%s mode %04o", why.len ? ", " : "", store_files[i],
                            (unsigned)(st.st_mode & 07777));
            util_buf_printf(&fix, "%s%s", fix.len ? (files ? " " : " && chmod 600 ") : "chmod 600 ",
                            path);
            files = true;
        }
        free(path);
    }
    int rc = 0;
    if (why.len) {
        if (err)
            *err = util_asprintf("store %s is open to other users (%s): it holds secrets and "
                                 "citizens' details; run %s",
                                 dir, why.data, fix.data);
        rc = -1;
    }
    util_buf_free(&why);
    util_buf_free(&fix);
    return rc;
}

/* Run as root with an owner: gives what this open created to the owner. */
static int give_created(const char *dir, const bool existed[NSTORE_FILES + 1], const char *owner,
                        char **err)
{
    if (!owner || geteuid() != 0)
        return 0;
    struct passwd *pw = getpwnam(owner);
    if (!pw) {
        set_err(err, "store %s: user '%s' does not exist", dir, owner);
        return -1;
    }
    for (size_t i = 0; i <= NSTORE_FILES; i++) {
        if (existed[i])
            continue;
        char *path = i == 0 ? util_strdup(dir) : util_asprintf("%s/%s", dir, store_files[i - 1]);
        int rc = chown(path, pw->pw_uid, pw->pw_gid);
        if (rc != 0 && errno != ENOENT) {
            if (err)
                *err = util_asprintf("store %s: cannot give %s to user '%s': %s", dir, path, owner,
                                     strerror(errno));
            free(path);
            return -1;
        }
        free(path);
    }
    return 0;
}

/* Where LMDB mapped data.mdb: the mapping of its inode in /proc/self/maps (LMDB has no
 * call for it; mdb_env_info's address is set only with MDB_FIXEDMAP). The map is made at
 * open and never moved afterwards (the size is set only here). Unknown (0): store_in_map
 * says no, and callers copy. */
static void locate_map(store_t *s)
{
    int fd;
    struct stat st;
    if (mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &st) != 0)
        return;
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi, off, ino;
        unsigned maj, min;
        if (sscanf(line, "%lx-%lx %*s %lx %x:%x %lu", &lo, &hi, &off, &maj, &min, &ino) != 6)
            continue;
        if (ino != (unsigned long)st.st_ino || maj != major(st.st_dev) || min != minor(st.st_dev))
            continue;
        if (!s->map_base || lo < s->map_base)
            s->map_base = lo;
        if (hi > s->map_end)
            s->map_end = hi;
    }
    fclose(f);
}

store_t *store_open(const char *dir, const store_options_t *opt, char **err)
{
    static const store_options_t defaults = {0};
    if (!opt)
        opt = &defaults;
    if (err)
        *err = NULL;
    uint64_t want = opt->map_size ? opt->map_size : (uint64_t)1 << 30;

    /* what exists before this open: whatever else it creates is given to opt->owner */
    bool existed[NSTORE_FILES + 1];
    struct stat st;
    existed[0] = stat(dir, &st) == 0 || errno != ENOENT;
    for (size_t i = 0; i < NSTORE_FILES; i++) {
        char *path = util_asprintf("%s/%s", dir, store_files[i]);
        existed[i + 1] = stat(path, &st) == 0 || errno != ENOENT;
        free(path);
    }
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || opt->read_only || !opt->create) {
            if (errno == ENOENT)
                set_err(err, "store %s does not exist: %s", dir,
                        "run jiyuectl import first");
            else
                set_err(err, "store %s: %s", dir, strerror(errno));
            return NULL;
        }
        if (mkdir_p(dir) != 0) {
            set_err(err, "cannot create store folder %s: %s", dir, strerror(errno));
            return NULL;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        set_err(err, "store %s: %s", dir, "not a folder");
        return NULL;
    }
    if (check_modes(dir, err) != 0)
        return NULL;

    static atomic_uint_fast64_t serials;
    store_t *s = util_calloc(1, sizeof *s);
    s->serial = atomic_fetch_add(&serials, 1) + 1;
    s->read_only = opt->read_only;
    int mrc = mdb_env_create(&s->env);
    if (mrc != 0) {
        set_err(err, "store %s: %s", dir, mdb_strerror(mrc));
        free(s);
        return NULL;
    }
    mdb_env_set_maxdbs(s->env, STORE_MAX_DBS);
    mdb_env_set_maxreaders(s->env, opt->max_readers ? opt->max_readers : 126);
    mdb_env_set_mapsize(s->env, (size_t)want);
    /* MDB_NOTLS: a read txn is tied to its handle, not to a thread slot, so a worker can
     * renew its own txn freely and jiyuectl can hold a read and a write txn at once. */
    unsigned flags = MDB_NOTLS | (opt->read_only ? MDB_RDONLY : 0);
    mrc = mdb_env_open(s->env, dir, flags, 0600);
    if (mrc != 0) {
        const char *why = mrc == ENOENT && opt->read_only
                              ? "not initialised: run jiyuectl import first"
                              : mdb_strerror(mrc);
        set_err(err, "cannot open store %s: %s", dir, why);
        goto fail;
    }
    /* An existing store may be larger than configured: adopt its size (0 = the size
     * recorded in the file), but never shrink below what the operator asked for. */
    mdb_env_set_mapsize(s->env, 0);
    MDB_envinfo info;
    if (mdb_env_info(s->env, &info) == 0 && info.me_mapsize < want)
        mdb_env_set_mapsize(s->env, (size_t)want);

    MDB_txn *txn;
    mrc = mdb_txn_begin(s->env, NULL, opt->read_only ? MDB_RDONLY : 0, &txn);
    if (mrc != 0) {
        set_err(err, "cannot open store %s: %s", dir, mdb_strerror(mrc));
        goto fail;
    }
    unsigned dflags = opt->read_only ? 0 : MDB_CREATE;
    mrc = mdb_dbi_open(txn, STORE_DB_PAGES, dflags, &s->pages);
    if (mrc == 0)
        mrc = mdb_dbi_open(txn, STORE_DB_META, dflags, &s->meta);
    if (mrc == 0) {
        int crc = mdb_dbi_open(txn, STORE_DB_CONTENT, dflags, &s->content);
        s->has_content = crc == 0;
        if (crc != 0 && crc != MDB_NOTFOUND)
            mrc = crc;
    }
    if (mrc == 0)
        mrc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (mrc != 0) {
        set_err(err, "cannot open store %s: %s", dir,
                mrc == MDB_NOTFOUND ? "store not initialised: run jiyuectl import first"
                                    : mdb_strerror(mrc));
        goto fail;
    }
    if (give_created(dir, existed, opt->owner, err) != 0)
        goto fail;
    locate_map(s);
    return s;
fail:
    mdb_env_close(s->env);
    free(s);
    return NULL;
}

void store_close(store_t *s)
{
    if (!s)
        return;
    mdb_env_close(s->env);
    free(s);
}

int store_stats(store_t *s, store_stats_t *out)
{
    memset(out, 0, sizeof *out);
    MDB_envinfo info;
    MDB_stat st;
    if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0)
        return STORE_EIO;
    out->map_size = info.me_mapsize;
    out->page_size = st.ms_psize;
    out->pages_used = (uint64_t)info.me_last_pgno + 1;
    /* The free list (LMDB's database 0): each record's value is a page-number list whose
     * first word is its length. Read in a read transaction of its own; cost grows with the
     * free list, which a scrape may pay. */
    MDB_txn *txn;
    if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
        return STORE_EIO;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, 0, &cur) == 0) {
        MDB_val k, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (v.mv_size >= sizeof(size_t)) {
                size_t n;
                memcpy(&n, v.mv_data, sizeof n);
                out->pages_free += n;
            }
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return 0;
}

bool store_in_map(const store_t *s, const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;
    return s && s->map_base && a >= s->map_base && len <= s->map_end - a && a < s->map_end;
}

uint64_t store_map_size(const store_t *s)
{
    MDB_envinfo info;
    if (mdb_env_info(s->env, &info) != 0)
        return 0;
    return info.me_mapsize;
}

/* --- transactions --- */

store_txn_t *store_read_txn_new(store_t *s)
{
    MDB_txn *txn;
    int mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (mrc != 0) {
        map_rc(mrc, "begin read transaction");
        return NULL;
    }
    /* Start reset: the first store_read_renew() takes the snapshot, as every later one. */
    mdb_txn_reset(txn);
    store_txn_t *t = util_calloc(1, sizeof *t);
    t->s = s;
    t->txn = txn;
    return t;
}

int store_read_renew(store_txn_t *t)
{
    if (t->active)
        mdb_txn_reset(t->txn);
    t->active = false;
    int rc = map_rc(mdb_txn_renew(t->txn), "renew read transaction");
    if (rc == 0)
        t->active = true;
    return rc;
}

void store_read_reset(store_txn_t *t)
{
    if (t->active)
        mdb_txn_reset(t->txn);
    t->active = false;
}

void store_txn_free(store_txn_t *t)
{
    if (!t)
        return;
    mdb_txn_abort(t->txn);
    free(t);
}

uint64_t store_txn_stamp(const store_txn_t *t)
{
    /* LMDB transaction ids grow by one per commit: 2^40 of them are decades of commits */
    return (t->s->serial << 40) ^ (uint64_t)mdb_txn_id(t->txn);
}

store_txn_t *store_write_begin(store_t *s, int *rc)
{
    int r;
    MDB_txn *txn = NULL;
    if (s->read_only) {
        snprintf(tl_last, sizeof tl_last, "store opened read-only");
        r = STORE_ERDONLY;
    } else {
        r = map_rc(mdb_txn_begin(s->env, NULL, 0, &txn), "begin write transaction");
    }
    if (rc)
        *rc = r;
    if (r != 0)
        return NULL;
    store_txn_t *t = util_calloc(1, sizeof *t);
    t->s = s;
    t->txn = txn;
    t->write = true;
    t->active = true;
    return t;
}

store_txn_t *store_write_child(store_txn_t *parent, int *rc)
{
    MDB_txn *txn = NULL;
    int r = map_rc(mdb_txn_begin(parent->s->env, parent->txn, 0, &txn), "begin nested transaction");
    if (rc)
        *rc = r;
    if (r != 0)
        return NULL;
    store_txn_t *t = util_calloc(1, sizeof *t);
    t->s = parent->s;
    t->txn = txn;
    t->write = true;
    t->active = true;
    return t;
}

int store_commit(store_txn_t *t)
{
    int rc = map_rc(mdb_txn_commit(t->txn), "commit");
    free(t);
    return rc;
}

void store_abort(store_txn_t *t)
{
    if (!t)
        return;
    mdb_txn_abort(t->txn);
    free(t);
}

int store_room(store_txn_t *t, uint64_t *room)
{
    MDB_envinfo info;
    MDB_stat st;
    int mrc = mdb_env_info(t->s->env, &info);
    if (mrc != 0)
        return map_rc(mrc, "store info");
    /* 0 and 1 are LMDB's free list and main database (where the named ones are listed). */
    MDB_dbi dbs[] = {0, 1, t->s->pages, t->s->meta, t->s->content};
    size_t n = t->s->has_content ? 5 : 4;
    uint64_t used = 2, psize = 4096; /* the two meta pages */
    for (size_t i = 0; i < n; i++) {
        if ((mrc = mdb_stat(t->txn, dbs[i], &st)) != 0)
            return map_rc(mrc, "store stat");
        used += (uint64_t)st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
        psize = st.ms_psize;
    }
    uint64_t total = (uint64_t)info.me_mapsize / psize;
    *room = total > used ? (total - used) * psize : 0;
    return STORE_OK;
}

/* --- record encoding --- */

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static void format_etag(char out[24], const uint8_t h[8])
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '"';
    for (int i = 0; i < 8; i++) {
        out[1 + 2 * i] = hex[h[i] >> 4];
        out[2 + 2 * i] = hex[h[i] & 15];
    }
    out[17] = '"';
    out[18] = '\0';
}

/* Decodes a record; the pointers in *out point into `data`. */
static int decode_page(const uint8_t *data, size_t size, store_page_t *out)
{
    if (size < STORE_REC_HEADER || memcmp(data, STORE_REC_MAGIC, 4) != 0 ||
        get16(data + STORE_REC_OFF_VERSION) != STORE_REC_VERSION)
        return STORE_ECORRUPT;
    uint64_t ct = get16(data + STORE_REC_OFF_CTLEN);
    uint64_t body = get64(data + STORE_REC_OFF_BODYLEN);
    uint64_t gz = get64(data + STORE_REC_OFF_GZIPLEN);
    uint64_t room = size - STORE_REC_HEADER;
    /* Compared one by one so a forged huge length cannot wrap the sum. */
    if (ct > room || body > room - ct || gz != room - ct - body)
        return STORE_ECORRUPT;
    const uint8_t *p = data + STORE_REC_HEADER;
    out->content_type = (const char *)p;
    out->content_type_len = (size_t)ct;
    out->body = p + ct;
    out->body_len = (size_t)body;
    out->gzip = gz ? p + ct + body : NULL;
    out->gzip_len = (size_t)gz;
    out->mtime = (int64_t)get64(data + STORE_REC_OFF_MTIME);
    format_etag(out->etag, data + STORE_REC_OFF_ETAG);
    out->vary_cookie = false; /* a stored page has one representation */
    return STORE_OK;
}

int store_page_decode(const void *data, size_t size, store_page_t *out)
{
    return decode_page(data, size, out);
}

/* A strong validator: SHA-256 is computed once, at import, never per request. */
static int body_hash(const void *body, size_t len, uint8_t out[8])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 8) {
        snprintf(tl_last, sizeof tl_last, "SHA-256 failed");
        return STORE_EIO;
    }
    memcpy(out, md, 8);
    return STORE_OK;
}

/* --- shared by pages, meta and content --- */

/* Every lookup goes through here. In a read transaction the thread may have made the same
 * one in the same snapshot (core/valcache.h): then it costs a hash probe, not a B-tree
 * search. Write transactions always search: they see their own uncommitted changes. */
static int db_get(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen, MDB_val *v,
                  const char *what)
{
    MDB_val k = {klen, (void *)key};
    if (t->write) {
        int mrc = mdb_get(t->txn, dbi, &k, v);
        return mrc != 0 ? map_rc(mrc, what) : STORE_OK;
    }
    valcache_ref_t ref = {.store_serial = t->s->serial, .txnid = (uint64_t)mdb_txn_id(t->txn),
                          .db = (uint32_t)dbi, .key = key, .klen = klen};
    valcache_hash(&ref);
    const void *data;
    size_t size;
    if (valcache_get(&ref, &data, &size)) {
        if (!data)
            return STORE_NOTFOUND;
        v->mv_data = (void *)data;
        v->mv_size = size;
        return STORE_OK;
    }
    int mrc = mdb_get(t->txn, dbi, &k, v);
    if (mrc == MDB_NOTFOUND)
        valcache_put(&ref, NULL, 0);
    if (mrc != 0)
        return map_rc(mrc, what);
    valcache_put(&ref, v->mv_data, v->mv_size);
    return STORE_OK;
}

static int db_put(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen, const void *val,
                  size_t len, const char *what)
{
    MDB_val k = {klen, (void *)key}, v = {len, (void *)val};
    return map_rc(mdb_put(t->txn, dbi, &k, &v, 0), what);
}

static int db_del(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen, const char *what)
{
    MDB_val k = {klen, (void *)key};
    return map_rc(mdb_del(t->txn, dbi, &k, NULL), what);
}

/* A walk over every key that starts with a prefix, in key order. An iterator rather than a
 * callback so each caller keeps its own typed callback and its own way to stop. */
typedef struct {
    MDB_cursor *c;
    MDB_val k, v;
    const void *prefix;
    size_t plen;
    int mrc; /* the last cursor result: MDB_NOTFOUND is the normal end */
    bool started;
} range_t;

static int range_open(range_t *r, store_txn_t *t, MDB_dbi dbi, const void *prefix, size_t plen)
{
    *r = (range_t){.prefix = prefix, .plen = plen};
    r->mrc = mdb_cursor_open(t->txn, dbi, &r->c);
    if (r->mrc != 0) {
        r->c = NULL;
        return map_rc(r->mrc, "open cursor");
    }
    return STORE_OK;
}

/* True while the cursor rests on a key with the prefix. After mdb_cursor_del the cursor
 * already rests on the next key, and MDB_NEXT returns it, so a clearing walk uses this too. */
static bool range_next(range_t *r)
{
    if (r->started) {
        r->mrc = mdb_cursor_get(r->c, &r->k, &r->v, MDB_NEXT);
    } else {
        r->started = true;
        r->k = (MDB_val){r->plen, (void *)r->prefix};
        r->mrc = mdb_cursor_get(r->c, &r->k, &r->v, MDB_SET_RANGE);
    }
    return r->mrc == 0 && r->k.mv_size >= r->plen &&
           memcmp(r->k.mv_data, r->prefix, r->plen) == 0;
}

/* rc: what the walk's caller decided (a callback's stop value wins over cursor errors). */
static int range_close(range_t *r, int rc, const char *what)
{
    if (r->c)
        mdb_cursor_close(r->c);
    if (rc != 0)
        return rc;
    if (r->mrc != 0 && r->mrc != MDB_NOTFOUND)
        return map_rc(r->mrc, what);
    return STORE_OK;
}

static long range_clear(store_txn_t *t, MDB_dbi dbi, const void *prefix, size_t plen,
                        const char *what)
{
    range_t r;
    long n = 0;
    int rc = range_open(&r, t, dbi, prefix, plen);
    while (rc == 0 && range_next(&r)) {
        r.mrc = mdb_cursor_del(r.c, 0);
        if (r.mrc != 0)
            break;
        n++;
    }
    rc = range_close(&r, rc, what);
    return rc != 0 ? rc : n;
}

/* --- pages --- */

int store_page_get(store_txn_t *t, const char *site, const char *path, size_t path_len,
                   store_page_t *out)
{
    char kbuf[STORE_KEY_MAX];
    size_t klen = store_key_page(kbuf, site, path, path_len);
    if (klen == 0)
        return STORE_EKEY;
    MDB_val v;
    int rc = db_get(t, t->s->pages, kbuf, klen, &v, "get page");
    return rc != STORE_OK ? rc : decode_page(v.mv_data, v.mv_size, out);
}

int store_page_put(store_txn_t *t, const char *site, const char *path,
                   const char *content_type, const void *body, size_t body_len,
                   const void *gzip, size_t gzip_len, int64_t mtime)
{
    char kbuf[STORE_KEY_MAX];
    size_t klen = store_key_page(kbuf, site, path, strlen(path));
    if (klen == 0)
        return STORE_EKEY;
    size_t ct_len = content_type ? strlen(content_type) : 0;
    if (ct_len > UINT16_MAX)
        return STORE_EKEY;
    if (!gzip)
        gzip_len = 0;
    if (body_len > SIZE_MAX / 4 || gzip_len > SIZE_MAX / 4)
        return STORE_EMAPFULL;
    uint8_t hdr[STORE_REC_HEADER];
    memcpy(hdr, STORE_REC_MAGIC, 4);
    put16(hdr + STORE_REC_OFF_VERSION, STORE_REC_VERSION);
    put16(hdr + STORE_REC_OFF_CTLEN, (uint16_t)ct_len);
    put64(hdr + STORE_REC_OFF_MTIME, (uint64_t)mtime);
    put64(hdr + STORE_REC_OFF_BODYLEN, body_len);
    put64(hdr + STORE_REC_OFF_GZIPLEN, gzip_len);
    int rc = body_hash(body_len ? body : "", body_len, hdr + STORE_REC_OFF_ETAG);
    if (rc != 0)
        return rc;

    /* MDB_RESERVE: LMDB hands us the space in the map, so the record is written once. */
    MDB_val k = {klen, kbuf};
    MDB_val v = {STORE_REC_HEADER + ct_len + body_len + gzip_len, NULL};
    int mrc = mdb_put(t->txn, t->s->pages, &k, &v, MDB_RESERVE);
    if (mrc != 0)
        return map_rc(mrc, "put page");
    uint8_t *p = v.mv_data;
    memcpy(p, hdr, STORE_REC_HEADER);
    p += STORE_REC_HEADER;
    if (ct_len)
        memcpy(p, content_type, ct_len);
    if (body_len)
        memcpy(p + ct_len, body, body_len);
    if (gzip_len)
        memcpy(p + ct_len + body_len, gzip, gzip_len);
    return STORE_OK;
}

int store_page_del(store_txn_t *t, const char *site, const char *path)
{
    char kbuf[STORE_KEY_MAX];
    size_t klen = store_key_page(kbuf, site, path, strlen(path));
    if (klen == 0)
        return STORE_EKEY;
    return db_del(t, t->s->pages, kbuf, klen, "delete page");
}

long store_site_clear(store_txn_t *t, const char *site)
{
    char prefix[STORE_KEY_MAX];
    size_t plen = store_key_site_prefix(prefix, site);
    if (plen == 0)
        return STORE_EKEY;
    return range_clear(t, t->s->pages, prefix, plen, "clear site");
}

long store_pages_clear_prefix(store_txn_t *t, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (plen == 0 || plen > STORE_KEY_MAX)
        return STORE_EKEY;
    return range_clear(t, t->s->pages, prefix, plen, "clear pages");
}

int store_page_each(store_txn_t *t, const char *site, store_page_fn fn, void *ud)
{
    char prefix[STORE_KEY_MAX];
    size_t plen = store_key_site_prefix(prefix, site);
    if (plen == 0)
        return STORE_EKEY;
    size_t ns_len = plen - 1;
    range_t r;
    int rc = range_open(&r, t, t->s->pages, prefix, plen);
    while (rc == 0 && range_next(&r)) {
        store_page_t page;
        rc = decode_page(r.v.mv_data, r.v.mv_size, &page);
        if (rc == 0)
            rc = fn(ud, (const char *)r.k.mv_data + ns_len, r.k.mv_size - ns_len, &page);
    }
    return range_close(&r, rc, "list pages");
}

/* --- meta --- */

int store_meta_get(store_txn_t *t, const char *key, const void **val, size_t *len)
{
    size_t klen = strlen(key);
    if (klen == 0 || klen > STORE_KEY_MAX)
        return STORE_EKEY;
    MDB_val v;
    int rc = db_get(t, t->s->meta, key, klen, &v, "get meta");
    if (rc != 0)
        return rc;
    *val = v.mv_data;
    *len = v.mv_size;
    return STORE_OK;
}

int store_meta_put(store_txn_t *t, const char *key, const void *val, size_t len)
{
    size_t klen = strlen(key);
    if (klen == 0 || klen > STORE_KEY_MAX)
        return STORE_EKEY;
    return db_put(t, t->s->meta, key, klen, val, len, "put meta");
}

int store_meta_del(store_txn_t *t, const char *key)
{
    size_t klen = strlen(key);
    if (klen == 0 || klen > STORE_KEY_MAX)
        return STORE_EKEY;
    return db_del(t, t->s->meta, key, klen, "delete meta");
}

long store_meta_clear_prefix(store_txn_t *t, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (plen == 0 || plen > STORE_KEY_MAX)
        return STORE_EKEY;
    return range_clear(t, t->s->meta, prefix, plen, "clear meta");
}

int store_meta_each(store_txn_t *t, const char *prefix, store_meta_fn fn, void *ud)
{
    size_t plen = strlen(prefix);
    if (plen == 0 || plen > STORE_KEY_MAX)
        return STORE_EKEY;
    range_t r;
    int rc = range_open(&r, t, t->s->meta, prefix, plen);
    while (rc == 0 && range_next(&r))
        rc = fn(ud, r.k.mv_data, r.k.mv_size, r.v.mv_data, r.v.mv_size);
    return range_close(&r, rc, "list meta");
}

/* The server asks for a site's live generation on every request; the answer changes only
 * with a commit, so in a read transaction the meta lookup is usually answered from the
 * thread's memory of this snapshot (db_get, core/valcache.h). */
int store_site_live(store_txn_t *t, const char *site, char *ns, size_t cap)
{
    size_t n = strlen(site);
    char key[STORE_KEY_MAX + 1];
    if (n + 1 > cap || store_key_meta_site(key, STORE_META_LIVE, site) == 0)
        return STORE_EKEY;
    memcpy(ns, site, n + 1);
    const void *v;
    size_t vlen;
    /* A missing key (never promoted) and a failed lookup both mean the base namespace:
     * the page lookup that follows reports a broken store on its own. */
    if (store_meta_get(t, key, &v, &vlen) != 0 || vlen == 0)
        return STORE_OK;
    if (n + 1 + vlen + 1 > cap)
        return STORE_EKEY;
    ns[n] = '@';
    memcpy(ns + n + 1, v, vlen);
    ns[n + 1 + vlen] = '\0';
    return STORE_OK;
}

/* --- content --- */

static int content_key(const store_txn_t *t, const void *key, size_t klen)
{
    if (!t->s->has_content)
        return STORE_NOTFOUND;
    return klen == 0 || klen > STORE_KEY_MAX ? STORE_EKEY : STORE_OK;
}

int store_content_get(store_txn_t *t, const void *key, size_t klen, const void **val,
                      size_t *len)
{
    int rc = content_key(t, key, klen);
    if (rc != 0)
        return rc;
    MDB_val v;
    rc = db_get(t, t->s->content, key, klen, &v, "get content");
    if (rc != 0)
        return rc;
    *val = v.mv_data;
    *len = v.mv_size;
    return STORE_OK;
}

int store_content_put(store_txn_t *t, const void *key, size_t klen, const void *val,
                      size_t len)
{
    int rc = content_key(t, key, klen);
    if (rc != 0)
        return rc;
    return db_put(t, t->s->content, key, klen, val, len, "put content");
}

int store_content_del(store_txn_t *t, const void *key, size_t klen)
{
    int rc = content_key(t, key, klen);
    if (rc != 0)
        return rc;
    return db_del(t, t->s->content, key, klen, "delete content");
}

int store_content_each(store_txn_t *t, const void *prefix, size_t plen, store_kv_fn fn,
                       void *ud)
{
    int rc = content_key(t, prefix, plen);
    if (rc != 0)
        return rc == STORE_NOTFOUND ? 0 : rc;
    range_t r;
    rc = range_open(&r, t, t->s->content, prefix, plen);
    while (rc == 0 && range_next(&r))
        rc = fn(ud, r.k.mv_data, r.k.mv_size, r.v.mv_data, r.v.mv_size);
    return range_close(&r, rc, "list content");
}

int store_content_each_from(store_txn_t *t, const void *prefix, size_t plen, const void *from,
                            size_t flen, store_kv_fn fn, void *ud)
{
    int rc = content_key(t, prefix, plen);
    if (rc == 0)
        rc = content_key(t, from, flen);
    if (rc != 0)
        return rc == STORE_NOTFOUND ? 0 : rc;
    if (flen < plen || memcmp(from, prefix, plen) != 0)
        return STORE_EKEY;
    range_t r;
    rc = range_open(&r, t, t->s->content, prefix, plen);
    if (rc == 0) {
        /* the walk starts at `from` rather than at the prefix (range_next's first step) */
        r.started = true;
        r.k = (MDB_val){flen, (void *)from};
        r.mrc = mdb_cursor_get(r.c, &r.k, &r.v, MDB_SET_RANGE);
        bool in = r.mrc == 0 && r.k.mv_size >= plen && memcmp(r.k.mv_data, prefix, plen) == 0;
        while (rc == 0 && in) {
            rc = fn(ud, r.k.mv_data, r.k.mv_size, r.v.mv_data, r.v.mv_size);
            in = rc == 0 && range_next(&r);
        }
    }
    return range_close(&r, rc, "list content");
}
