/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-source.h: pages of Imgur posts, requested through the loader, into a gallery */
#pragma once

#include "tessera-gallery.h"

#include "tessera-enum-types.h"
#include "tessera-imgur.h"
#include "tessera-types.h"

G_BEGIN_DECLS

/* What to browse: a gallery section, a search, or one album. */
typedef struct
{
  char *section; /* tessera_imgur_choices (TESSERA_IMGUR_CHOICE_SECTION) */
  char *sort;    /* … _SORT, fitting the section (tessera_imgur_sort_fits_section) */
  char *window;  /* … _WINDOW */
  char *search;  /* non-NULL: search the gallery for this instead of a section */
  char *album;   /* non-NULL: this album's images, one page */
} TesseraImgurQuery;

/* "hot/viral", "top/top/week", "user/rising": missing parts take the defaults (the first
 * of each table). FALSE with a G_OPTION_ERROR for anything else. */
gboolean tessera_imgur_query_parse (const char *text, TesseraImgurQuery *query, GError **error);
/* Frees @query's strings and sets them to NULL; @query itself stays. */
void tessera_imgur_query_clear (TesseraImgurQuery *query);
/* Into an empty @to; missing parts take the defaults. */
void tessera_imgur_query_copy (const TesseraImgurQuery *from, TesseraImgurQuery *to);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TesseraImgurQuery, tessera_imgur_query_clear)

/* Requests left before Imgur's limit, below which the window says how many. */
#define TESSERA_IMGUR_LOW_REMAINING   50
/* When Imgur says the limit is reached without saying when it resets. */
#define TESSERA_IMGUR_DEFAULT_RESET_S 3600

#define TESSERA_TYPE_IMGUR_SOURCE (tessera_imgur_source_get_type ())
G_DECLARE_FINAL_TYPE (TesseraImgurSource, tessera_imgur_source, TESSERA, IMGUR_SOURCE, GObject)

/* Posts go to @gallery, through its loader; mature and promoted posts only as @show says.
 * @client_id is sent as it is: where it comes from (the environment, the settings) is the
 * caller's business. It may be NULL or empty (the source then fails with
 * TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID). The API and image hosts come from TESSERA_IMGUR_API
 * and TESSERA_IMGUR_IMAGES when set (tests, mirrors). An album without a cover is a tile
 * going by the album's link, loaded at once with a placeholder picture. Main thread. */
TesseraImgurSource *tessera_imgur_source_new (TesseraGallery *gallery,
                                              const TesseraImgurQuery *query, const char *client_id,
                                              TesseraImgurShow show);

/* Requests the next page unless one is in flight, the pages ended, or the rate limit
 * holds. After a failure, requests the page that failed again. */
void tessera_imgur_source_load_more (TesseraImgurSource *self);

/* Whether @client_id (may be NULL) can be sent to Imgur at all: present, letters and digits,
 * at most TESSERA_IMGUR_MAX_CLIENT_ID. FALSE with the problem kind and a message of facts
 * ((transfer full), never holding the ID) otherwise. Any thread. */
gboolean tessera_imgur_check_client_id (const char *client_id, TesseraImgurProblem *problem,
                                        char **message);

/* Main thread, like every call on the source. (transfer none) The gallery given. */
TesseraGallery *tessera_imgur_source_get_gallery (TesseraImgurSource *self);
/* Idle, loading, ended or failed; the "state" property notifies when it changes. */
TesseraImgurState tessera_imgur_source_get_state (TesseraImgurSource *self);
/* Why it failed; TESSERA_IMGUR_PROBLEM_NONE unless failed. */
TesseraImgurProblem tessera_imgur_source_get_problem (TesseraImgurSource *self);
/* What went wrong, in one or two sentences without advice (what to do about it is for the
 * user interface to say, by the problem): Imgur's own message when it gave one, and the
 * reset time of a rate limit. NULL unless failed. Never holds the Client ID. */
const char *tessera_imgur_source_get_message (TesseraImgurSource *self);
/* Requests left before the limit (the lower of client and user), -1 when unknown. */
gint64 tessera_imgur_source_get_remaining (TesseraImgurSource *self);

G_END_DECLS
