/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-types.h: the engine's enumerations, registered as GTypes by glib-mkenums
 * (tessera-enum-types.h), so properties can be g_param_spec_enum and nicks printable. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  TESSERA_ERROR_HTTP,      /* a non-2xx status; the label is "HTTP <status>" */
  TESSERA_ERROR_NOT_IMAGE, /* bytes are not JPEG, PNG, GIF or WebP */
  TESSERA_ERROR_TOO_LARGE, /* byte cap or pixel limit exceeded */
  TESSERA_ERROR_BROKEN,    /* an image format we accept, but undecodable */
  TESSERA_ERROR_TIMED_OUT,
  TESSERA_ERROR_CUT_SHORT, /* the body ended before its declared length */
  TESSERA_ERROR_REDIRECT,  /* too many redirects or one to a forbidden scheme */
  TESSERA_ERROR_NETWORK,   /* could not resolve, connect, TLS failure */
  TESSERA_ERROR_FILE,      /* a local file could not be read */
  TESSERA_ERROR_BAD_URL,
  TESSERA_ERROR_BAD_REPLY, /* a service's answer (JSON) could not be read */
  TESSERA_ERROR_REMOVED,   /* the redirects ended at a host's "image removed" placeholder */
  TESSERA_ERROR_DISK_FULL, /* a file could not be written: no space left, or over quota */
} TesseraErrorCode;

typedef enum
{
  TESSERA_IMAGE_FORMAT_UNKNOWN = 0,
  TESSERA_IMAGE_FORMAT_JPEG,
  TESSERA_IMAGE_FORMAT_PNG,
  TESSERA_IMAGE_FORMAT_GIF,
  TESSERA_IMAGE_FORMAT_WEBP,
} TesseraImageFormat;

/* How a request uses the disk cache (tessera-http-cache.h). */
typedef enum
{
  TESSERA_CACHE_MODE_BYPASS, /* neither read nor written: a service's answers */
  TESSERA_CACHE_MODE_HTTP,   /* HTTP's rules: fresh entries used, stale ones revalidated */
  TESSERA_CACHE_MODE_KEPT,   /* any entry whatever its age (bytes already shown), else HTTP */
} TesseraCacheMode;

typedef enum
{
  TESSERA_TILE_WAITING,
  TESSERA_TILE_LOADED,
  TESSERA_TILE_FAILED,
} TesseraTileState;

/* What a tile stands for: a picture, an animation shown as a still, or an album shown
 * by its cover. */
typedef enum
{
  TESSERA_TILE_PICTURE,
  TESSERA_TILE_ANIMATION,
  TESSERA_TILE_ALBUM,
} TesseraTileKind;

typedef enum
{
  TESSERA_IMGUR_IMAGE,
  TESSERA_IMGUR_ANIMATION, /* animated GIF or video/mp4: shown as a still */
  TESSERA_IMGUR_ALBUM,
} TesseraImgurKind;

typedef enum
{
  TESSERA_IMGUR_IDLE,    /* more pages may come */
  TESSERA_IMGUR_LOADING, /* one page request in flight, never more */
  TESSERA_IMGUR_ENDED,   /* an empty page came, or the album's only one */
  TESSERA_IMGUR_FAILED,  /* see the problem and message */
} TesseraImgurState;

typedef enum
{
  TESSERA_IMGUR_PROBLEM_NONE,
  TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID,
  TESSERA_IMGUR_PROBLEM_REFUSED,      /* 401, 403, or not letters and digits: the Client ID */
  TESSERA_IMGUR_PROBLEM_REJECTED,     /* other 4xx: Imgur said no to this request */
  TESSERA_IMGUR_PROBLEM_RATE_LIMITED, /* no requests until the reset time */
  TESSERA_IMGUR_PROBLEM_UNAVAILABLE,  /* 5xx, network, unreadable answer: worth a retry */
} TesseraImgurProblem;

/* Which Imgur posts are shown besides the rest: mature ones (nsfw) and promoted ones
 * (is_ad); each is hidden unless its flag is set. */
typedef enum /*< flags >*/
{
  TESSERA_IMGUR_SHOW_DEFAULT = 0,
  TESSERA_IMGUR_SHOW_NSFW = 1 << 0,
  TESSERA_IMGUR_SHOW_PROMOTED = 1 << 1,
} TesseraImgurShow;

/* The parts of a gallery query, each chosen from a table (tessera_imgur_choices). */
typedef enum
{
  TESSERA_IMGUR_CHOICE_SECTION, /* hot, top, user */
  TESSERA_IMGUR_CHOICE_SORT,    /* viral, top, time, rising */
  TESSERA_IMGUR_CHOICE_WINDOW,  /* day, week, month, year, all */
} TesseraImgurChoice;

/* What a transfer is for: how its status is read. */
typedef enum
{
  /* An image's bytes: a 2xx (or a 304 to a conditional request) is the answer; a 429 or
   * 503 is retried as the limits say; another status fails as TESSERA_ERROR_HTTP without
   * its body; a 2xx whose redirects ended at a known "image removed" placeholder
   * (tessera-fetch-private.h) fails with TESSERA_ERROR_REMOVED. */
  TESSERA_FETCH_IMAGE,
  /* A service's answer: any status is an answer, never retried (its limits are for the
   * caller to honour). */
  TESSERA_FETCH_ANY_STATUS,
} TesseraFetchKind;

G_END_DECLS
