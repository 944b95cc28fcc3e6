/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-url-list.h: find image URLs in any text a person pastes, drops or passes */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A token longer than this is not taken as a URL. */
#define TESSERA_URL_MAX_LENGTH     8192
/* Text beyond this many bytes is ignored (and reported as cut). */
#define TESSERA_URL_TEXT_MAX_BYTES (64u * 1024u * 1024u)

/* Input that could not be read, and why. */
typedef struct
{
  char *what;   /* an argument as given, or the path of a file in a folder argument */
  char *reason; /* the error's message */
} TesseraUrlSkip;

typedef struct
{
  GPtrArray
      *urls; /* (element-type utf8): normalised http(s) or file URIs, first-seen order, unique */
  guint n_not_urls;   /* non-blank lines that held no usable URL */
  guint n_duplicates; /* URLs repeated within the text */
  gboolean not_utf8;  /* invalid UTF-8 was present and skipped */
  gboolean truncated; /* the text was longer than TESSERA_URL_TEXT_MAX_BYTES */
  GPtrArray *skipped; /* (element-type TesseraUrlSkip): in the order met; for the front ends
                       * to tell, since the engine does not print */
  GHashTable *seen;   /* private: the set of @urls (tessera_url_set_new) */
} TesseraUrlList;

/* An empty list, for collecting URLs with tessera_url_list_add. */
TesseraUrlList *tessera_url_list_new (void);
/* Appends a copy of @url (already normalised) unless the list holds it, which counts as a
 * duplicate instead. Returns TRUE when @url was added. */
gboolean tessera_url_list_add (TesseraUrlList *list, const char *url);
/* Records that @what could not be used because of @error (its message is copied). */
void tessera_url_list_add_skipped (TesseraUrlList *list, const char *what, const GError *error);

/* Finds the URLs in @text, in the order they come, each checked with a real URL parser:
 * http(s) and file URLs, absolute paths (as file:// URIs) and schemeless links whose host
 * ends in a public suffix or starts with "www." (as https). Text with HTML tags is read as
 * HTML (see tessera-url-list.c for every rule). @len may be -1 for NUL-terminated text.
 * Returns (transfer full) the list; never fails. Any thread; the cost is linear in @len. */
TesseraUrlList *tessera_url_list_extract (const char *text, gssize len);
/* @arg, one command-line argument, as one URL: surrounding whitespace is dropped and spaces
 * inside are percent-encoded. An http(s) or file URL, or a schemeless link as
 * tessera_url_list_extract takes one. Returns (transfer full) the normalised URL, or NULL
 * when @arg is none of those. Any thread. */
char *tessera_url_from_argument (const char *arg);
/* Frees @list and everything in it; NULL does nothing. */
void tessera_url_list_free (TesseraUrlList *list);

/* One line for the person: "Added 87 images · 3 lines were not URLs · 1 duplicate skipped".
 * @n_duplicates counts both repeats in the text and URLs already in the gallery. */
char *tessera_url_list_summary (guint n_added, guint n_not_urls, guint n_duplicates,
                                gboolean not_utf8, gboolean truncated);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraUrlList, tessera_url_list_free)

G_END_DECLS
