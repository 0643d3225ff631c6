/* modules/search/search_block.h: the postings block codec (search_block.c; the forms are
 * described in search_keys.h). */
#ifndef JIYUE_SEARCH_BLOCK_H
#define JIYUE_SEARCH_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct search_posting {
    uint64_t doc;
    uint32_t site, column;
    uint8_t type;
    uint32_t tf_title, tf_body, length;
} search_posting_t;

/* Block header bits (search_keys.h): v2 alone, the entries as varints; v2 and v3, as bit
 * columns; neither, v1 (read, never written). The low bits are the entry count. */
#define SEARCH_BLOCK_V2 0x8000u
#define SEARCH_BLOCK_V3 0x4000u
#define SEARCH_BLOCK_COUNT 0x3FFFu

/* Decodes a block into out[0..cap): the entry count, or -1 for a malformed block. */
int search_block_decode(const void *v, size_t len, search_posting_t *out, size_t cap);
/* Encodes n entries (newest first, strictly; type 1..3) in the v2 or the v3 form, whichever
 * is shorter; the length is kept
 * as search_length_code, so it decodes as search_length_decode of that. */
void search_block_encode(const search_posting_t *p, size_t n, util_buf_t *out);
uint8_t search_length_code(uint32_t len);
uint32_t search_length_decode(uint8_t code);
/* LEB128 varints: get returns 0, or -1 (nothing consumed that counts) for one that is
 * truncated or longer than 64 bits. */
void search_block_put_varint(util_buf_t *b, uint64_t v);
int search_block_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v);

#endif
