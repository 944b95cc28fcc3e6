/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur-source.c: Imgur's gallery, page by page; requests and parsing on the workers */

#define G_LOG_DOMAIN "tessera-imgur-source"

#include "config.h"

#include <time.h>

#include <cairo.h>
#include <glib/gi18n.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-imgur-source-private.h"
#include "tessera-imgur.h"

#define TESSERA_IMGUR_MAX_CLIENT_ID 64
/* A page request goes before the thumbnails already queued. */
#define PAGE_PRIORITY               G_MININT
/* An album without a cover: a stack of two frames, outlined in grey that shows on light and
 * dark themes alike, over nothing (the tile's own background). Fractions of the tile. */
#define PLACEHOLDER_GREY            0.5
#define PLACEHOLDER_ALPHA           0.6
#define PLACEHOLDER_FRAME           0.4
#define PLACEHOLDER_OFFSET          0.08
#define PLACEHOLDER_LINE            0.025

struct _TesseraImgurSource
{
  GObject parent_instance;

  TesseraGallery *gallery;
  TesseraImgurQuery query;
  char *client_id;
  TesseraImgurShow show;
  char *api_base;
  char *images_base;

  guint page;
  TesseraRequest *request; /* the page in flight */
  guint n_requests;
  TesseraImgurState state;
  TesseraImgurProblem problem;
  char *message;
  gint64 remaining;
  gint64 blocked_until;    /* Unix time: no requests before it */
  GdkTexture *placeholder; /* made for the first album without a cover */
};

G_DEFINE_FINAL_TYPE (TesseraImgurSource, tessera_imgur_source, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_REMAINING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
tessera_imgur_query_clear (TesseraImgurQuery *query)
{
  g_clear_pointer (&query->section, g_free);
  g_clear_pointer (&query->sort, g_free);
  g_clear_pointer (&query->window, g_free);
  g_clear_pointer (&query->search, g_free);
  g_clear_pointer (&query->album, g_free);
}

/* @value, else the default for @choice, copied. */
static char *
dup_choice (TesseraImgurChoice choice, const char *value)
{
  return g_strdup (value != NULL && *value != '\0' ? value : tessera_imgur_choice_default (choice));
}

void
tessera_imgur_query_copy (const TesseraImgurQuery *from, TesseraImgurQuery *to)
{
  g_return_if_fail (from != NULL && to != NULL);

  to->section = dup_choice (TESSERA_IMGUR_CHOICE_SECTION, from->section);
  to->sort = dup_choice (TESSERA_IMGUR_CHOICE_SORT, from->sort);
  to->window = dup_choice (TESSERA_IMGUR_CHOICE_WINDOW, from->window);
  to->search = g_strdup (from->search);
  to->album = g_strdup (from->album);
}

static gboolean
check_choice (TesseraImgurChoice choice, const char *value, GError **error)
{
  /* In the order of TesseraImgurChoice. */
  const char *const what[] = { N_ ("section"), N_ ("sort"), N_ ("time window") };
  g_autofree char *choices = NULL;

  if (tessera_imgur_choice_is_valid (choice, value))
    return TRUE;
  choices = g_strjoinv (", ", (char **) tessera_imgur_choices (choice));
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("“%s” is not an Imgur %s; use one of %s"), value, _ (what[choice]), choices);
  return FALSE;
}

gboolean
tessera_imgur_query_parse (const char *text, TesseraImgurQuery *query, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_auto (TesseraImgurQuery) parsed = { 0 };
  TesseraImgurQuery given = { 0 };
  guint n_parts;

  g_return_val_if_fail (query != NULL, FALSE);

  parts = g_strsplit (text != NULL ? text : "", "/", -1);
  n_parts = g_strv_length (parts);
  if (n_parts > 3)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("Use --imgur=SECTION/SORT/WINDOW, for example top/top/week"));
      return FALSE;
    }
  given.section = n_parts > 0 ? parts[0] : NULL;
  given.sort = n_parts > 1 ? parts[1] : NULL;
  given.window = n_parts > 2 ? parts[2] : NULL;
  tessera_imgur_query_copy (&given, &parsed);
  if (!check_choice (TESSERA_IMGUR_CHOICE_SECTION, parsed.section, error)
      || !check_choice (TESSERA_IMGUR_CHOICE_SORT, parsed.sort, error)
      || !check_choice (TESSERA_IMGUR_CHOICE_WINDOW, parsed.window, error))
    return FALSE;
  if (!tessera_imgur_sort_fits_section (parsed.section, parsed.sort))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("Only the user section can be sorted by rising"));
      return FALSE;
    }

  *query = parsed;
  parsed = (TesseraImgurQuery){ 0 };
  return TRUE;
}

static const char *
nsfw_param (gboolean show_nsfw)
{
  return show_nsfw ? "true" : "false";
}

char *
tessera_imgur_page_uri (const char *api_base, const TesseraImgurQuery *query, guint page,
                        gboolean show_nsfw)
{
  g_auto (TesseraImgurQuery) full = { 0 };
  g_autofree char *number = g_strdup_printf ("%u", page);

  g_return_val_if_fail (api_base != NULL && query != NULL, NULL);

  tessera_imgur_query_copy (query, &full);
  if (full.album != NULL)
    return tessera_imgur_build_uri (
        api_base, (const char *const[]){ "3", "gallery", "album", full.album, NULL }, NULL);
  if (full.search != NULL)
    return tessera_imgur_build_uri (
        api_base,
        (const char *const[]){ "3", "gallery", "search", full.sort, full.window, number, NULL },
        (const char *const[]){ "q", full.search, "mature", nsfw_param (show_nsfw), NULL });
  return tessera_imgur_build_uri (
      api_base,
      (const char *const[]){ "3", "gallery", full.section, full.sort, full.window, number, NULL },
      (const char *const[]){ "mature", nsfw_param (show_nsfw), "album_previews", "true", NULL });
}

/* What the worker makes of one answer. */
typedef struct
{
  long status;
  TesseraImgurPage *page; /* NULL unless a readable 2xx */
  char *message;          /* Imgur's error text, or why the answer could not be read */
  TesseraImgurRateLimit limit;
} ImgurAnswer;

static void
imgur_answer_free (gpointer data)
{
  ImgurAnswer *answer = data;

  g_clear_pointer (&answer->page, tessera_imgur_page_free);
  g_free (answer->message);
  g_free (answer);
}

/* What the worker needs to parse, copied so the source may change meanwhile. */
typedef struct
{
  char *images_base;
  guint tile_px;
  TesseraImgurShow show;
  gboolean album;
} ParseSettings;

static void
parse_settings_free (gpointer data)
{
  ParseSettings *settings = data;

  g_free (settings->images_base);
  g_free (settings);
}

static gpointer
parse_answer (const TesseraResponse *response, gpointer parse_data, GError **error)
{
  const ParseSettings *settings = parse_data;
  ImgurAnswer *answer = g_new0 (ImgurAnswer, 1);
  gsize len = 0;
  const char *json = g_bytes_get_data (response->body, &len);
  g_autoptr (GError) parse_error = NULL;

  answer->status = response->status;
  tessera_imgur_rate_limit_parse (response->headers, &answer->limit);
  if (response->status < 200 || response->status >= 300)
    answer->message = tessera_imgur_parse_error_message (json, len);
  else if (settings->album)
    answer->page = tessera_imgur_parse_album (json, len, settings->images_base, settings->tile_px,
                                              settings->show, &parse_error);
  else
    answer->page = tessera_imgur_parse_gallery (json, len, settings->images_base, settings->tile_px,
                                                settings->show, &parse_error);
  if (parse_error != NULL)
    answer->message = g_strdup (parse_error->message);
  return answer;
}

/* Nothing Imgur or libcurl says is shown with the Client ID in it. */
static char *
redact (const char *text, const char *client_id)
{
  g_auto (GStrv) pieces = NULL;

  if (client_id == NULL || *client_id == '\0' || strstr (text, client_id) == NULL)
    return g_strdup (text);
  pieces = g_strsplit (text, client_id, -1);
  return g_strjoinv ("…", pieces);
}

static void
set_state (TesseraImgurSource *self, TesseraImgurState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Every failure notifies "state", even when the source had failed already. */
static void
fail (TesseraImgurSource *self, TesseraImgurProblem problem, const char *message)
{
  /* A "state" handler may drop the last reference to the source (the album collector
   * does): keep it alive until both notifications are out. */
  g_autoptr (TesseraImgurSource) alive = g_object_ref (self);

  g_free (self->message);
  self->message = redact (message, self->client_id);
  self->problem = problem;
  /* Notified last, when problem and message are in place. */
  if (self->state == TESSERA_IMGUR_FAILED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  set_state (self, TESSERA_IMGUR_FAILED);
}

static void
note_rate_limit (TesseraImgurSource *self, const TesseraImgurRateLimit *limit)
{
  gint64 remaining = -1;

  if (limit->client_remaining >= 0)
    remaining = limit->client_remaining;
  if (limit->user_remaining >= 0 && (remaining < 0 || limit->user_remaining < remaining))
    remaining = limit->user_remaining;
  if (remaining == self->remaining)
    return;
  self->remaining = remaining;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMAINING]);
}

static void
fail_rate_limited (TesseraImgurSource *self, const TesseraImgurRateLimit *limit)
{
  gint64 now = (gint64) time (NULL);
  g_autoptr (GDateTime) reset = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *message = NULL;

  self->blocked_until
      = limit->user_reset > now ? limit->user_reset : now + TESSERA_IMGUR_DEFAULT_RESET_S;
  reset = g_date_time_new_from_unix_local (self->blocked_until);
  clock = reset ? g_date_time_format (reset, "%H:%M") : g_strdup ("?");
  message = g_strdup_printf (_ ("Imgur’s rate limit is reached; resets at %s"), clock);
  fail (self, TESSERA_IMGUR_PROBLEM_RATE_LIMITED, message);
}

static void
fail_from_status (TesseraImgurSource *self, const ImgurAnswer *answer)
{
  g_autofree char *said = answer->message ? g_strdup (answer->message)
                                          : g_strdup_printf (_ ("HTTP %ld"), answer->status);
  g_autofree char *message = NULL;

  if (answer->status == 401 || answer->status == 403)
    {
      message = g_strdup_printf (_ ("Imgur refused the Client ID: %s."), said);
      fail (self, TESSERA_IMGUR_PROBLEM_REFUSED, message);
    }
  else if (answer->status >= 500)
    {
      message = g_strdup_printf (_ ("Imgur is not answering right now (%s)."), said);
      fail (self, TESSERA_IMGUR_PROBLEM_UNAVAILABLE, message);
    }
  else
    {
      message = g_strdup_printf (_ ("Imgur said no: %s"), said);
      fail (self, TESSERA_IMGUR_PROBLEM_REJECTED, message);
    }
}

static TesseraTileKind
tile_kind (TesseraImgurKind kind)
{
  switch (kind)
    {
    case TESSERA_IMGUR_ALBUM:
      return TESSERA_TILE_ALBUM;
    case TESSERA_IMGUR_ANIMATION:
      return TESSERA_TILE_ANIMATION;
    case TESSERA_IMGUR_IMAGE:
    default:
      return TESSERA_TILE_PICTURE;
    }
}

/* Main thread: the picture of every album without a cover, drawn once at the tile size. */
static GdkTexture *
placeholder_texture (TesseraImgurSource *self)
{
  int side = (int) tessera_gallery_get_tile_px (self->gallery);
  double frame = side * PLACEHOLDER_FRAME;
  double offset = side * PLACEHOLDER_OFFSET;
  double corner = (side - frame) / 2;
  cairo_surface_t *surface;
  cairo_t *cr;
  g_autoptr (GBytes) pixels = NULL;

  if (self->placeholder != NULL)
    return self->placeholder;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, side, side);
  cr = cairo_create (surface);
  cairo_set_source_rgba (cr, PLACEHOLDER_GREY, PLACEHOLDER_GREY, PLACEHOLDER_GREY,
                         PLACEHOLDER_ALPHA);
  cairo_set_line_width (cr, MAX (1.0, side * PLACEHOLDER_LINE));
  cairo_rectangle (cr, corner - offset / 2, corner - offset / 2, frame, frame);
  cairo_rectangle (cr, corner + offset / 2, corner + offset / 2, frame, frame);
  cairo_stroke (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  /* Cairo's ARGB32 is GDK's default memory layout. */
  pixels = g_bytes_new (cairo_image_surface_get_data (surface),
                        (gsize) cairo_image_surface_get_stride (surface) * (gsize) side);
  self->placeholder = gdk_memory_texture_new (side, side, GDK_MEMORY_DEFAULT, pixels,
                                              (gsize) cairo_image_surface_get_stride (surface));
  cairo_surface_destroy (surface);
  return self->placeholder;
}

/* A post's tile; an album without a cover goes by its link and shows the placeholder,
 * loaded at once. */
static TesseraTile *
tile_new (TesseraImgurSource *self, const TesseraImgurPost *post)
{
  TesseraTilePost tile_post = {
    .kind = tile_kind (post->kind),
    .id = post->id,
    .title = post->title,
    .link = post->link,
    .n_images = post->images_count,
    .promoted = post->promoted,
  };
  TesseraTile *tile;

  if (post->thumbnail_uri != NULL)
    return tessera_tile_new_for_post (post->thumbnail_uri, &tile_post);
  tile = tessera_tile_new_for_post (post->link, &tile_post);
  tessera_tile_set_loaded (tile, placeholder_texture (self), tessera_engine_elapsed_ms ());
  return tile;
}

static void
add_posts (TesseraImgurSource *self, const TesseraImgurPage *page)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new_full (page->posts->len, g_object_unref);

  for (guint i = 0; i < page->posts->len; i++)
    g_ptr_array_add (tiles, tile_new (self, page->posts->pdata[i]));
  tessera_gallery_add_tiles (self->gallery, (TesseraTile *const *) tiles->pdata, tiles->len, NULL);
}

static gboolean
page_is_empty (const TesseraImgurPage *page)
{
  return page->posts->len == 0 && page->n_skipped == 0 && page->n_hidden_nsfw == 0
         && page->n_hidden_promoted == 0;
}

static void
take_page (TesseraImgurSource *self, const TesseraImgurPage *page)
{
  add_posts (self, page);
  self->page++;
  self->problem = TESSERA_IMGUR_PROBLEM_NONE;
  g_clear_pointer (&self->message, g_free);
  set_state (self, self->query.album != NULL || page_is_empty (page) ? TESSERA_IMGUR_ENDED
                                                                     : TESSERA_IMGUR_IDLE);
}

static void
on_answer (const TesseraLoadResult *result, gpointer user_data)
{
  TesseraImgurSource *self = user_data;
  const ImgurAnswer *answer = result->data;

  TESSERA_ASSERT_MAIN_THREAD ();

  g_clear_pointer (&self->request, tessera_request_unref);
  if (answer == NULL)
    {
      g_autofree char *message
          = g_strdup_printf (_ ("Could not reach Imgur: %s"), result->error->message);
      fail (self, TESSERA_IMGUR_PROBLEM_UNAVAILABLE, message);
      return;
    }

  note_rate_limit (self, &answer->limit);
  if (answer->status == 429 || tessera_imgur_rate_limit_exhausted (&answer->limit))
    {
      /* A page that came with the last request allowed is still shown. */
      if (answer->page != NULL)
        add_posts (self, answer->page);
      fail_rate_limited (self, &answer->limit);
    }
  else if (answer->page != NULL)
    take_page (self, answer->page);
  else if (answer->status >= 200 && answer->status < 300)
    fail (self, TESSERA_IMGUR_PROBLEM_UNAVAILABLE, answer->message);
  else
    fail_from_status (self, answer);
}

static gboolean
rate_limit_holds (TesseraImgurSource *self)
{
  return self->problem == TESSERA_IMGUR_PROBLEM_RATE_LIMITED
         && (gint64) time (NULL) < self->blocked_until;
}

static void
request_page (TesseraImgurSource *self)
{
  g_autofree char *uri = tessera_imgur_page_uri (self->api_base, &self->query, self->page,
                                                 (self->show & TESSERA_IMGUR_SHOW_NSFW) != 0);
  g_autofree char *authorization = g_strdup_printf ("Authorization: Client-ID %s", self->client_id);
  const char *headers[] = { authorization, NULL };
  ParseSettings *settings = g_new0 (ParseSettings, 1);
  TesseraDataJob job = { headers, parse_answer, settings, parse_settings_free, imgur_answer_free };

  settings->images_base = g_strdup (self->images_base);
  settings->tile_px = tessera_gallery_get_tile_px (self->gallery);
  settings->show = self->show;
  settings->album = self->query.album != NULL;

  self->n_requests++;
  set_state (self, TESSERA_IMGUR_LOADING);
  self->request = tessera_loader_submit_data (tessera_gallery_get_loader (self->gallery), uri,
                                              PAGE_PRIORITY, &job, on_answer, self, NULL);
  /* cppcheck-suppress memleak ; the request owns settings and frees it with the job's
   * parse_data_free */
}

gboolean
tessera_imgur_check_client_id (const char *client_id, TesseraImgurProblem *problem, char **message)
{
  gsize len = client_id != NULL ? strlen (client_id) : 0;

  g_return_val_if_fail (problem != NULL && message != NULL, FALSE);

  if (len == 0)
    {
      *problem = TESSERA_IMGUR_PROBLEM_NO_CLIENT_ID;
      *message = g_strdup (_ ("Imgur needs a Client ID."));
      return FALSE;
    }
  /* It goes into a request header: nothing there may end the line. */
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (client_id[i]) || i >= TESSERA_IMGUR_MAX_CLIENT_ID)
      {
        *problem = TESSERA_IMGUR_PROBLEM_REFUSED;
        *message = g_strdup (_ ("The Imgur Client ID can hold only letters and digits."));
        return FALSE;
      }
  return TRUE;
}

void
tessera_imgur_source_load_more (TesseraImgurSource *self)
{
  TesseraImgurProblem problem;
  g_autofree char *message = NULL;

  g_return_if_fail (TESSERA_IS_IMGUR_SOURCE (self));

  if (self->state == TESSERA_IMGUR_LOADING || self->state == TESSERA_IMGUR_ENDED
      || rate_limit_holds (self))
    return;
  if (!tessera_imgur_check_client_id (self->client_id, &problem, &message))
    {
      fail (self, problem, message);
      return;
    }
  request_page (self);
}

TesseraGallery *
tessera_imgur_source_get_gallery (TesseraImgurSource *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_SOURCE (self), NULL);
  return self->gallery;
}

TesseraImgurState
tessera_imgur_source_get_state (TesseraImgurSource *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_SOURCE (self), TESSERA_IMGUR_FAILED);
  return self->state;
}

TesseraImgurProblem
tessera_imgur_source_get_problem (TesseraImgurSource *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_SOURCE (self), TESSERA_IMGUR_PROBLEM_NONE);
  return self->problem;
}

const char *
tessera_imgur_source_get_message (TesseraImgurSource *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_SOURCE (self), NULL);
  return self->message;
}

gint64
tessera_imgur_source_get_remaining (TesseraImgurSource *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_SOURCE (self), -1);
  return self->remaining;
}

guint
tessera_imgur_source_get_n_requests (TesseraImgurSource *self)
{
  g_return_val_if_fail (TESSERA_IS_IMGUR_SOURCE (self), 0);
  return self->n_requests;
}

static void
tessera_imgur_source_dispose (GObject *object)
{
  TesseraImgurSource *self = TESSERA_IMGUR_SOURCE (object);

  if (self->request != NULL)
    {
      tessera_request_cancel (self->request);
      g_clear_pointer (&self->request, tessera_request_unref);
    }
  g_clear_object (&self->gallery);
  g_clear_object (&self->placeholder);

  G_OBJECT_CLASS (tessera_imgur_source_parent_class)->dispose (object);
}

static void
tessera_imgur_source_finalize (GObject *object)
{
  TesseraImgurSource *self = TESSERA_IMGUR_SOURCE (object);

  tessera_imgur_query_clear (&self->query);
  g_free (self->client_id);
  g_free (self->api_base);
  g_free (self->images_base);
  g_free (self->message);

  G_OBJECT_CLASS (tessera_imgur_source_parent_class)->finalize (object);
}

static void
tessera_imgur_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TesseraImgurSource *self = TESSERA_IMGUR_SOURCE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_REMAINING:
      g_value_set_int64 (value, self->remaining);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_imgur_source_class_init (TesseraImgurSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tessera_imgur_source_dispose;
  object_class->finalize = tessera_imgur_source_finalize;
  object_class->get_property = tessera_imgur_source_get_property;

  /* Problem and message are set before this notifies. */
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, TESSERA_TYPE_IMGUR_STATE,
                                              TESSERA_IMGUR_IDLE, flags);
  properties[PROP_REMAINING]
      = g_param_spec_int64 ("remaining", NULL, NULL, -1, G_MAXINT64, -1, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_imgur_source_init (TesseraImgurSource *self)
{
  self->remaining = -1;
}

/* A base URI from the environment when it holds one, else @fallback. */
static char *
base_from_env (const char *variable, const char *fallback)
{
  const char *value = g_getenv (variable);
  g_autofree char *as_base = NULL;

  if (value == NULL || *value == '\0')
    return g_strdup (fallback);
  as_base = tessera_imgur_build_uri (value, (const char *const[]){ NULL }, NULL);
  if (as_base == NULL)
    {
      g_warning ("%s is not an absolute URI with a host; using %s", variable, fallback);
      return g_strdup (fallback);
    }
  return g_strdup (value);
}

TesseraImgurSource *
tessera_imgur_source_new (TesseraGallery *gallery, const TesseraImgurQuery *query,
                          const char *client_id, TesseraImgurShow show)
{
  TesseraImgurSource *self;

  g_return_val_if_fail (TESSERA_IS_GALLERY (gallery), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  self = g_object_new (TESSERA_TYPE_IMGUR_SOURCE, NULL);
  self->gallery = g_object_ref (gallery);
  tessera_imgur_query_copy (query, &self->query);
  self->client_id = g_strdup (client_id);
  self->show = show;
  self->api_base = base_from_env (TESSERA_IMGUR_API_ENV, TESSERA_IMGUR_DEFAULT_API);
  self->images_base = base_from_env (TESSERA_IMGUR_IMAGES_ENV, TESSERA_IMGUR_DEFAULT_IMAGES);
  return self;
}
