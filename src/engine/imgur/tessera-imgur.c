/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-imgur.c: Imgur API v3: choices, URIs, and answers (gallery pages, albums, errors,
 * limits) into plain structs */

#define G_LOG_DOMAIN "tessera-imgur"

#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>
#include <glib/gi18n.h>

#include "tessera-error.h"
#include "tessera-imgur-private.h"
#include "tessera-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cJSON, cJSON_Delete)

/* Imgur's thumbnail sizes, smallest first, by the longest side they keep. */
static const struct
{
  char letter;
  guint longest_side;
} thumbnail_sizes[] = {
  { 't', 160 },
  { 'm', 320 },
  { 'l', 640 },
  { 'h', 1024 },
};

/* Imgur's gallery choices; the first of each is the default. */
static const char *const sections[] = { "hot", "top", "user", NULL };
static const char *const sorts[] = { "viral", "top", "time", "rising", NULL };
static const char *const windows[] = { "day", "week", "month", "year", "all", NULL };

/* The one sort Imgur offers for one section only. */
#define USER_ONLY_SORT "rising"
#define USER_SECTION   "user"

/* A thumbnail 1.5 times the tile still fills it sharply once cropped to a square. */
#define OVERSAMPLE_NUMERATOR   3
#define OVERSAMPLE_DENOMINATOR 2

#define ELLIPSIS "…"

/* A ".gifv" link names a page that plays the same id's ".mp4": the file is the mp4. */
#define GIFV_EXTENSION ".gifv"
#define MP4_EXTENSION  ".mp4"
#define VIDEO_TYPE     "video/"

#define HEADER_CLIENT_LIMIT     "x-ratelimit-clientlimit"
#define HEADER_CLIENT_REMAINING "x-ratelimit-clientremaining"
#define HEADER_USER_LIMIT       "x-ratelimit-userlimit"
#define HEADER_USER_REMAINING   "x-ratelimit-userremaining"
#define HEADER_USER_RESET       "x-ratelimit-userreset"

/* cJSON notes where a parse failed in a global; parsing one at a time keeps workers off it. */
G_LOCK_DEFINE_STATIC (cjson_parse);

void
tessera_imgur_post_free (TesseraImgurPost *post)
{
  if (post == NULL)
    return;

  g_free (post->id);
  g_free (post->title);
  g_free (post->thumbnail_uri);
  g_free (post->link);
  g_free (post);
}

void
tessera_imgur_page_free (TesseraImgurPage *page)
{
  if (page == NULL)
    return;

  g_clear_pointer (&page->posts, g_ptr_array_unref);
  g_free (page);
}

/* Ids go into URLs, so only what Imgur itself uses passes. */
static gboolean
id_is_valid (const char *id)
{
  gsize i;

  if (id == NULL)
    return FALSE;

  for (i = 0; id[i] != '\0'; i++)
    {
      if (i >= TESSERA_IMGUR_MAX_ID_LENGTH || !g_ascii_isalnum (id[i]))
        return FALSE;
    }

  return i > 0;
}

const char *const *
tessera_imgur_choices (TesseraImgurChoice choice)
{
  switch (choice)
    {
    case TESSERA_IMGUR_CHOICE_SECTION:
      return sections;
    case TESSERA_IMGUR_CHOICE_SORT:
      return sorts;
    case TESSERA_IMGUR_CHOICE_WINDOW:
      return windows;
    default:
      g_return_val_if_reached (sections);
    }
}

const char *
tessera_imgur_choice_default (TesseraImgurChoice choice)
{
  return tessera_imgur_choices (choice)[0];
}

gboolean
tessera_imgur_choice_is_valid (TesseraImgurChoice choice, const char *id)
{
  return id != NULL && g_strv_contains (tessera_imgur_choices (choice), id);
}

gboolean
tessera_imgur_sort_fits_section (const char *section, const char *sort)
{
  g_return_val_if_fail (section != NULL && sort != NULL, FALSE);

  return !g_str_equal (sort, USER_ONLY_SORT) || g_str_equal (section, USER_SECTION);
}

static void
append_escaped (GString *string, const char *text)
{
  g_string_append_uri_escaped (string, text, NULL, FALSE);
}

/* "name=value&…", escaped; NULL for no @params. */
static char *
build_query (const char *const *params)
{
  GString *query;

  if (params == NULL || params[0] == NULL)
    return NULL;

  query = g_string_new (NULL);
  for (gsize i = 0; params[i] != NULL && params[i + 1] != NULL; i += 2)
    {
      if (i > 0)
        g_string_append_c (query, '&');
      append_escaped (query, params[i]);
      g_string_append_c (query, '=');
      append_escaped (query, params[i + 1]);
    }
  return g_string_free (query, FALSE);
}

/* Escaping leaves dots alone, and a dot segment would climb out of the base's path. */
static gboolean
segment_is_valid (const char *segment)
{
  return *segment != '\0' && !g_str_equal (segment, ".") && !g_str_equal (segment, "..");
}

char *
tessera_imgur_build_uri (const char *base, const char *const *segments, const char *const *params)
{
  g_autoptr (GUri) base_uri = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GString) path = NULL;
  g_autofree char *query = NULL;

  g_return_val_if_fail (base != NULL && segments != NULL, NULL);

  /* Encoded, so that an escaped mirror path stays as written. */
  base_uri = g_uri_parse (base, G_URI_FLAGS_ENCODED, NULL);
  if (base_uri == NULL || g_uri_get_host (base_uri) == NULL || *g_uri_get_host (base_uri) == '\0')
    return NULL;

  path = g_string_new (g_uri_get_path (base_uri));
  while (path->len > 0 && path->str[path->len - 1] == '/')
    g_string_truncate (path, path->len - 1);
  for (gsize i = 0; segments[i] != NULL; i++)
    {
      if (!segment_is_valid (segments[i]))
        return NULL;
      g_string_append_c (path, '/');
      append_escaped (path, segments[i]);
    }
  query = build_query (params);

  uri = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (base_uri),
                     g_uri_get_userinfo (base_uri), g_uri_get_host (base_uri),
                     g_uri_get_port (base_uri), path->str, query, NULL);
  return g_uri_to_string (uri);
}

char
tessera_imgur_thumbnail_letter (guint tile_px)
{
  guint64 wanted = (guint64) tile_px * OVERSAMPLE_NUMERATOR;

  for (gsize i = 0; i < G_N_ELEMENTS (thumbnail_sizes); i++)
    {
      if ((guint64) thumbnail_sizes[i].longest_side * OVERSAMPLE_DENOMINATOR >= wanted)
        return thumbnail_sizes[i].letter;
    }

  return thumbnail_sizes[G_N_ELEMENTS (thumbnail_sizes) - 1].letter;
}

char *
tessera_imgur_thumbnail_uri (const char *images_base, const char *image_id, guint tile_px)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (images_base != NULL, NULL);
  g_return_val_if_fail (id_is_valid (image_id), NULL);

  name = g_strdup_printf ("%s%c.jpg", image_id, tessera_imgur_thumbnail_letter (tile_px));
  return tessera_imgur_build_uri (images_base, (const char *const[]){ name, NULL }, NULL);
}

/* The parsed document, or NULL when @json is not exactly one JSON value. */
static cJSON *
parse_json (const char *json, gsize len)
{
  const char *end = NULL;
  cJSON *root;

  /* Not cJSON_ParseWithLength: it accepts anything after the value, and only the
   * Opts variant says where the value ended. Both stay within @len. */
  G_LOCK (cjson_parse);
  root = cJSON_ParseWithLengthOpts (json, len, &end, FALSE);
  G_UNLOCK (cjson_parse);

  if (root == NULL)
    return NULL;

  for (const char *p = end; p != NULL && p < json + len; p++)
    {
      if (!g_ascii_isspace (*p))
        {
          cJSON_Delete (root);
          return NULL;
        }
    }

  return root;
}

static const cJSON *
get_member (const cJSON *object, const char *name)
{
  if (!cJSON_IsObject (object))
    return NULL;

  return cJSON_GetObjectItemCaseSensitive (object, name);
}

/* A string member, NULL when absent, of another type or empty. */
static const char *
get_string (const cJSON *object, const char *name)
{
  const cJSON *member = get_member (object, name);

  if (!cJSON_IsString (member) || member->valuestring == NULL || member->valuestring[0] == '\0')
    return NULL;

  return member->valuestring;
}

static const char *
get_valid_id (const cJSON *object, const char *name)
{
  const char *id = get_string (object, name);

  return id_is_valid (id) ? id : NULL;
}

static gboolean
get_true (const cJSON *object, const char *name)
{
  return cJSON_IsTrue (get_member (object, name));
}

static guint
clamp_count (double value)
{
  /* Written so that NaN lands on 0 too. */
  if (!(value > 0))
    return 0;
  if (value >= (double) G_MAXUINT)
    return G_MAXUINT;

  return (guint) value;
}

/* A count, which Imgur sends as a number or now and then as a string of digits ("3").
 * FALSE when absent or neither. */
static gboolean
get_count (const cJSON *object, const char *name, guint *count)
{
  const cJSON *member = get_member (object, name);
  g_autofree char *digits = NULL;
  guint64 number;

  if (cJSON_IsNumber (member))
    {
      *count = clamp_count (member->valuedouble);
      return TRUE;
    }
  if (!cJSON_IsString (member) || member->valuestring == NULL)
    return FALSE;
  digits = g_strstrip (g_strdup (member->valuestring));
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64, &number, NULL))
    return FALSE;
  *count = (guint) MIN (number, G_MAXUINT);
  return TRUE;
}

/* Titles end up in labels, which need valid UTF-8; cJSON passes any bytes through. */
static char *
dup_text (const char *text)
{
  if (text == NULL)
    return NULL;

  return g_utf8_make_valid (text, -1);
}

static char *
dup_link (const char *link)
{
  if (link == NULL || !g_utf8_validate (link, -1, NULL))
    return NULL;

  return g_strdup (link);
}

static char *
shorten_message (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  gsize cut;

  if (strlen (valid) <= TESSERA_IMGUR_MAX_MESSAGE)
    return g_steal_pointer (&valid);

  cut = tessera_utf8_prefix_len (valid, -1, TESSERA_IMGUR_MAX_MESSAGE - strlen (ELLIPSIS));
  return g_strdup_printf ("%.*s%s", (int) cut, valid, ELLIPSIS);
}

/* The message in one of the three error shapes, as found (not yet shortened). */
static const char *
find_error_text (const cJSON *root)
{
  const cJSON *data = get_member (root, "data");
  const cJSON *error = get_member (data, "error");
  const cJSON *errors = get_member (root, "errors");
  const cJSON *entry;

  if (cJSON_IsString (error))
    return get_string (data, "error");
  if (cJSON_IsObject (error))
    return get_string (error, "message");

  if (!cJSON_IsArray (errors))
    return NULL;

  cJSON_ArrayForEach (entry, errors)
  {
    const char *text = get_string (entry, "detail");

    if (text == NULL)
      text = get_string (entry, "status");
    if (text != NULL)
      return text;
  }

  return NULL;
}

static char *
error_message_from_root (const cJSON *root)
{
  const char *text = find_error_text (root);

  return text != NULL ? shorten_message (text) : NULL;
}

char *
tessera_imgur_parse_error_message (const char *json, gsize len)
{
  g_autoptr (cJSON) root = NULL;

  g_return_val_if_fail (json != NULL || len == 0, NULL);

  root = parse_json (json, len);
  if (!cJSON_IsObject (root))
    return NULL;

  return error_message_from_root (root);
}

/* The top-level object of a successful answer, or NULL with @error. */
static cJSON *
parse_answer (const char *json, gsize len, GError **error)
{
  g_autoptr (cJSON) root = parse_json (json, len);
  g_autofree char *message = NULL;

  if (!cJSON_IsObject (root))
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY,
                           _ ("Imgur's answer could not be read"));
      return NULL;
    }

  if (!cJSON_IsFalse (get_member (root, "success")))
    return g_steal_pointer (&root);

  message = error_message_from_root (root);
  if (message != NULL)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY, _ ("Imgur reported an error: %s"),
                 message);
  else
    g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY,
                         _ ("Imgur reported an error"));
  return NULL;
}

typedef struct
{
  const char *images_base;
  guint tile_px;
  TesseraImgurShow show;
  gboolean album_nsfw; /* an album marked nsfw hides all its images */
  TesseraImgurPage *page;
} PageBuilder;

/* Takes @thumbnail_uri (NULL: a placeholder is shown) and @link. */
static TesseraImgurPost *
post_new (const cJSON *item, const char *id, TesseraImgurKind kind, char *thumbnail_uri, char *link)
{
  TesseraImgurPost *post = g_new0 (TesseraImgurPost, 1);

  post->id = g_strdup (id);
  post->title = dup_text (get_string (item, "title"));
  post->kind = kind;
  post->thumbnail_uri = thumbnail_uri;
  post->link = link;
  /* Imgur marks promoted posts (ads among the posts) with is_ad. */
  post->promoted = get_true (item, "is_ad");
  return post;
}

static gboolean
is_video (const cJSON *item)
{
  const char *type = get_string (item, "type");

  return type != NULL && g_str_has_prefix (type, VIDEO_TYPE);
}

/* Animations are shown as stills, but are told apart so the tile can say so. */
static TesseraImgurKind
image_kind (const cJSON *item)
{
  if (get_true (item, "animated") || is_video (item))
    return TESSERA_IMGUR_ANIMATION;

  return TESSERA_IMGUR_IMAGE;
}

/* The file an image post's original is: its link, but a ".gifv" page stands for the same
 * id's ".mp4", and a video whose link is not an mp4 gives its file as "mp4". */
static char *
original_link (const cJSON *item)
{
  const char *link = get_string (item, "link");
  const char *mp4 = get_string (item, "mp4");

  if (link != NULL && g_str_has_suffix (link, GIFV_EXTENSION))
    {
      g_autofree char *stem = g_strndup (link, strlen (link) - strlen (GIFV_EXTENSION));
      g_autofree char *file = g_strconcat (stem, MP4_EXTENSION, NULL);

      return dup_link (file);
    }
  if (is_video (item) && mp4 != NULL && (link == NULL || !g_str_has_suffix (link, MP4_EXTENSION)))
    return dup_link (mp4);
  return dup_link (link);
}

/* NULL when the thumbnail has no URI (an images base that is not one). */
static TesseraImgurPost *
image_post_new (const cJSON *item, const PageBuilder *builder)
{
  const char *id = get_valid_id (item, "id");
  char *thumbnail_uri;

  if (id == NULL)
    return NULL;
  thumbnail_uri = tessera_imgur_thumbnail_uri (builder->images_base, id, builder->tile_px);
  if (thumbnail_uri == NULL)
    return NULL;

  return post_new (item, id, image_kind (item), thumbnail_uri, original_link (item));
}

/* The cover, or the first preview image when the cover is missing. */
static const char *
album_cover (const cJSON *item)
{
  const char *cover = get_valid_id (item, "cover");
  const cJSON *images = get_member (item, "images");

  if (cover != NULL || !cJSON_IsArray (images))
    return cover;

  return get_valid_id (cJSON_GetArrayItem (images, 0), "id");
}

static guint
album_images_count (const cJSON *item)
{
  const cJSON *images = get_member (item, "images");
  guint count;

  if (get_count (item, "images_count", &count))
    return count;
  if (cJSON_IsArray (images))
    return clamp_count (cJSON_GetArraySize (images));

  return 0;
}

/* An album without cover or previews is still shown (with a placeholder, by its link) and
 * opened like any other; NULL only when it has no id, no link, or a bad images base. */
static TesseraImgurPost *
album_post_new (const cJSON *item, const PageBuilder *builder)
{
  const char *id = get_valid_id (item, "id");
  const char *cover = album_cover (item);
  g_autofree char *link = dup_link (get_string (item, "link"));
  char *thumbnail_uri = NULL;
  TesseraImgurPost *post;

  if (id == NULL || (cover == NULL && link == NULL))
    return NULL;
  if (cover != NULL)
    {
      thumbnail_uri = tessera_imgur_thumbnail_uri (builder->images_base, cover, builder->tile_px);
      if (thumbnail_uri == NULL)
        return NULL;
    }

  post = post_new (item, id, TESSERA_IMGUR_ALBUM, thumbnail_uri, g_steal_pointer (&link));
  post->images_count = album_images_count (item);
  return post;
}

static TesseraImgurPost *
gallery_post_new (const cJSON *item, const PageBuilder *builder)
{
  if (get_true (item, "is_album"))
    return album_post_new (item, builder);

  return image_post_new (item, builder);
}

/* Files @post (NULL when @item cannot be shown) under what happened to it. */
static void
add_post (PageBuilder *builder, const cJSON *item, TesseraImgurPost *post)
{
  TesseraImgurPage *page = builder->page;
  gboolean nsfw = builder->album_nsfw || get_true (item, "nsfw");
  gboolean hidden_nsfw = nsfw && !(builder->show & TESSERA_IMGUR_SHOW_NSFW);
  gboolean hidden_promoted
      = post != NULL && post->promoted && !(builder->show & TESSERA_IMGUR_SHOW_PROMOTED);

  if (post == NULL)
    page->n_skipped++;
  else if (hidden_nsfw || hidden_promoted)
    {
      if (hidden_nsfw)
        page->n_hidden_nsfw++;
      else
        page->n_hidden_promoted++;
      tessera_imgur_post_free (post);
    }
  else
    g_ptr_array_add (page->posts, post);
}

static TesseraImgurPage *
page_new (void)
{
  TesseraImgurPage *page = g_new0 (TesseraImgurPage, 1);

  page->posts = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_imgur_post_free);
  return page;
}

TesseraImgurPage *
tessera_imgur_parse_gallery (const char *json, gsize len, const char *images_base, guint tile_px,
                             TesseraImgurShow show, GError **error)
{
  g_autoptr (cJSON) root = NULL;
  const cJSON *data;
  const cJSON *item;
  PageBuilder builder = { images_base, tile_px, show, FALSE, NULL };

  g_return_val_if_fail (json != NULL || len == 0, NULL);
  g_return_val_if_fail (images_base != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_answer (json, len, error);
  if (root == NULL)
    return NULL;

  data = get_member (root, "data");
  if (!cJSON_IsArray (data))
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY,
                           _ ("Imgur's answer has no list of posts"));
      return NULL;
    }

  builder.page = page_new ();
  cJSON_ArrayForEach (item, data) { add_post (&builder, item, gallery_post_new (item, &builder)); }

  return builder.page;
}

TesseraImgurPage *
tessera_imgur_parse_album (const char *json, gsize len, const char *images_base, guint tile_px,
                           TesseraImgurShow show, GError **error)
{
  g_autoptr (cJSON) root = NULL;
  const cJSON *data;
  const cJSON *images;
  const cJSON *item;
  PageBuilder builder = { images_base, tile_px, show, FALSE, NULL };

  g_return_val_if_fail (json != NULL || len == 0, NULL);
  g_return_val_if_fail (images_base != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_answer (json, len, error);
  if (root == NULL)
    return NULL;

  /* The album itself, with its images inside, or the bare list of images. */
  data = get_member (root, "data");
  images = cJSON_IsArray (data) ? data : get_member (data, "images");
  if (!cJSON_IsArray (images))
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY,
                           _ ("Imgur's answer has no list of images"));
      return NULL;
    }
  builder.album_nsfw = get_true (data, "nsfw");

  builder.page = page_new ();
  cJSON_ArrayForEach (item, images) { add_post (&builder, item, image_post_new (item, &builder)); }

  return builder.page;
}

static gint64
header_number (GHashTable *headers, const char *name)
{
  const char *value = headers != NULL ? g_hash_table_lookup (headers, name) : NULL;
  g_autofree char *trimmed = NULL;
  gint64 number;

  if (value == NULL)
    return -1;

  trimmed = g_strstrip (g_strdup (value));
  if (!g_ascii_string_to_signed (trimmed, 10, 0, G_MAXINT64, &number, NULL))
    return -1;

  return number;
}

void
tessera_imgur_rate_limit_parse (GHashTable *headers, TesseraImgurRateLimit *limit)
{
  g_return_if_fail (limit != NULL);

  limit->client_limit = header_number (headers, HEADER_CLIENT_LIMIT);
  limit->client_remaining = header_number (headers, HEADER_CLIENT_REMAINING);
  limit->user_limit = header_number (headers, HEADER_USER_LIMIT);
  limit->user_remaining = header_number (headers, HEADER_USER_REMAINING);
  limit->user_reset = header_number (headers, HEADER_USER_RESET);
}

gboolean
tessera_imgur_rate_limit_exhausted (const TesseraImgurRateLimit *limit)
{
  g_return_val_if_fail (limit != NULL, FALSE);

  return limit->client_remaining == 0 || limit->user_remaining == 0;
}
