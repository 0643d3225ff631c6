/* core/mime.h: the media type of a stored file, chosen by its extension at import or
 * publish time (the server serves the type stored with the page). The table is the
 * operator's /etc/mime.types (Debian's media-types package) loaded once, under a small
 * built-in table that also covers machines without it and pins the few types browsers
 * need a particular answer for (html is text/html, js is text/javascript). */
#ifndef JIYUE_MIME_H
#define JIYUE_MIME_H

#include <stdbool.h>
#include <stddef.h>

#define MIME_DEFAULT "application/octet-stream"
#define MIME_SYSTEM_TABLE "/etc/mime.types"

/* The full Content-Type for a file name or path, by its last extension, case-insensitive:
 * "index.HTML" -> "text/html; charset=utf-8", "logo.png" -> "image/png", no or unknown
 * extension -> MIME_DEFAULT. Text types carry "; charset=utf-8". The string lives as long
 * as the process. Thread-safe: the table is loaded once, on first use. */
const char *mime_for_name(const char *name);

/* True when a type (with or without parameters) is worth a gzip variant: text, JSON, XML,
 * SVG, JavaScript, WebAssembly, icons, uncompressed fonts. False for formats that are
 * already compressed: images (but SVG/ICO), audio, video, PDF, archives, woff/woff2. */
bool mime_is_compressible(const char *content_type);

/* True for types served with "; charset=utf-8" (any text/ type, JavaScript, JSON, XML, SVG). */
bool mime_is_text(const char *type);

/* Loads another table instead of /etc/mime.types; for tests, and must be called before
 * the first mime_for_name(). Returns the number of extensions read or -1 when the file
 * cannot be opened (the built-in table is still used). */
int mime_load(const char *path);

#endif
