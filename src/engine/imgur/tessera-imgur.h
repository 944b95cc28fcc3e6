/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur.h: Imgur API v3: its gallery's choices, its URIs, its answers parsed. Pure
 * functions for any thread. */
#pragma once
#include <glib.h>
#include "tessera-enum-types.h"
#include "tessera-types.h"

G_BEGIN_DECLS

#define TESSERA_IMGUR_DEFAULT_API    "https://api.imgur.com"
#define TESSERA_IMGUR_DEFAULT_IMAGES "https://i.imgur.com"
/* Variables that move them elsewhere (a mirror, the tests' server). */
#define TESSERA_IMGUR_API_ENV        "TESSERA_IMGUR_API"
#define TESSERA_IMGUR_IMAGES_ENV     "TESSERA_IMGUR_IMAGES"
#define TESSERA_IMGUR_MAX_ID_LENGTH  32

/* What Imgur's gallery offers for @choice, as its URLs name them, in the order the window
 * lists them; NULL-terminated, static. The first is the default. Labels for people are the
 * UI's, keyed by these. */
const char *const *tessera_imgur_choices (TesseraImgurChoice choice);
/* The first of tessera_imgur_choices (@choice): hot, viral, day. */
const char *tessera_imgur_choice_default (TesseraImgurChoice choice);
/* Whether @id is one of tessera_imgur_choices (@choice). */
gboolean tessera_imgur_choice_is_valid (TesseraImgurChoice choice, const char *id);
/* Whether Imgur sorts @section by @sort: "rising" only for "user", the rest for any. */
gboolean tessera_imgur_sort_fits_section (const char *section, const char *sort);

/* @base (an absolute URI with a host, with or without a trailing slash) with @segments
 * (NULL-terminated) appended to its path and @params ("name", "value", …, NULL; or NULL) as
 * its query, every segment, name and value percent-escaped here. Any query or fragment of
 * @base is dropped. Returns (transfer full) the URI, or NULL when @base is not an absolute URI
 * with a host or a segment is empty, "." or "..". Any thread. */
char *tessera_imgur_build_uri (const char *base, const char *const *segments,
                               const char *const *params);

typedef struct
{
  char *id;    /* the post's id (the album's id for an album) */
  char *title; /* NULL when absent or empty */
  TesseraImgurKind kind;
  /* "{images_base}/{image id}{letter}.jpg"; an album's uses its cover, and is NULL for an
   * album without cover or previews (shown with a placeholder) */
  char *thumbnail_uri;
  /* the original (a video's or a ".gifv" link's is the mp4), or the album's page; NULL when
   * absent (never for an album without a thumbnail) */
  char *link;
  guint images_count; /* albums: images_count (a number or a string of digits), else the
                       * length of images, else 0 */
  gboolean promoted;  /* is_ad: an ad among the posts (kept only with
                       * TESSERA_IMGUR_SHOW_PROMOTED) */
} TesseraImgurPost;

/* Frees @post and its strings; NULL does nothing. Any thread. */
void tessera_imgur_post_free (TesseraImgurPost *post);

typedef struct
{
  GPtrArray *posts;        /* (element-type TesseraImgurPost), in the answer's order, owned */
  guint n_skipped;         /* items that cannot be shown: no valid id, wrong types, an album with
                     * neither cover nor link */
  guint n_hidden_nsfw;     /* dropped: nsfw is true and TESSERA_IMGUR_SHOW_NSFW is not set */
  guint n_hidden_promoted; /* dropped: is_ad is true and TESSERA_IMGUR_SHOW_PROMOTED is not */
} TesseraImgurPage;

/* Frees @page and its posts; NULL does nothing. Any thread. */
void tessera_imgur_page_free (TesseraImgurPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraImgurPage, tessera_imgur_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraImgurPost, tessera_imgur_post_free)

/* A page of gallery posts from /3/gallery/{section}/{sort}/{window}/{page} or
 * /3/gallery/search/...: {"data":[items],"success":true,"status":200}. Mature and promoted
 * posts are dropped (and counted) unless @show says to keep them. Returns (transfer full)
 * the page, or NULL with a TESSERA_ERROR_BAD_REPLY. Any thread. */
TesseraImgurPage *tessera_imgur_parse_gallery (const char *json, gsize len, const char *images_base,
                                               guint tile_px, TesseraImgurShow show,
                                               GError **error);
/* An album's images: /3/gallery/album/{id} or /3/album/{id} ({"data":{...,"images":[...]}})
 * and /3/album/{id}/images ({"data":[images]}). Every post is an image or animation. */
TesseraImgurPage *tessera_imgur_parse_album (const char *json, gsize len, const char *images_base,
                                             guint tile_px, TesseraImgurShow show, GError **error);

/* The message in an Imgur error body, in any of the three shapes:
 *   {"data":{"error":"text",...},"success":false,"status":N}
 *   {"data":{"error":{"code":429,"message":"text",...}},"success":false,"status":N}
 *   {"errors":[{"id":"…","code":"429","status":"Too Many Requests","detail":"text"}]}
 * (for the last: detail, else status). NULL when the body is not one of them. Never
 * longer than TESSERA_IMGUR_MAX_MESSAGE bytes (cut on a UTF-8 boundary, with "…"). */
#define TESSERA_IMGUR_MAX_MESSAGE 300
char *tessera_imgur_parse_error_message (const char *json, gsize len);

/* Rate limit headers. @headers maps lower-case header names to values (may be NULL).
 * Fields are -1 when the header is absent or not a number. */
typedef struct
{
  gint64 client_limit;
  gint64 client_remaining;
  gint64 user_limit;
  gint64 user_remaining;
  gint64 user_reset; /* Unix time */
} TesseraImgurRateLimit;

/* Fills every field of @limit from @headers. Any thread. */
void tessera_imgur_rate_limit_parse (GHashTable *headers, TesseraImgurRateLimit *limit);
/* TRUE when either remaining count is 0. */
gboolean tessera_imgur_rate_limit_exhausted (const TesseraImgurRateLimit *limit);

G_END_DECLS
