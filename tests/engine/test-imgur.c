/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-imgur.c: Imgur answers parsed from captured and hand-written bodies */

#define G_LOG_DOMAIN "test-imgur"

#include "config.h"

#include <string.h>

#include "tessera-error.h"
#include "tessera-imgur-private.h"

#define BASE    "https://i.imgur.com"
/* 1.5 × 200 = 300 fits in m (320). */
#define TILE_PX 200

#define HOT_VIRAL   "gallery-hot-viral-page0-anonymous-2014-03.json"
#define ALBUM_42    "gallery-album-single-42-images-2014-03.json"
#define ERROR_403   "error-403-invalid-client-id-on-gallery.json"
#define ERROR_404   "error-404-image-not-found.json"
#define OWN_GALLERY "own-gallery-newer-shapes-nsfw.json"
#define OWN_IMAGES  "own-album-images-list.json"
#define REAL_WORLD  "own-gallery-real-world-page.json"

/* A copy of @data in a buffer of exactly @len bytes, with no NUL after it, so the
 * sanitizer catches any read past the end. */
static GBytes *
exact_bytes (const char *data, gsize len)
{
  return g_bytes_new_take (g_memdup2 (data, len), len);
}

static GBytes *
load_fixture (const char *name)
{
  const char *dir = g_getenv ("TESSERA_IMGUR_FIXTURES");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;

  if (dir == NULL)
    g_error ("TESSERA_IMGUR_FIXTURES is not set; run this through meson test");
  path = g_build_filename (dir, name, NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return exact_bytes (contents, len);
}

/* TAP output must stay UTF-8, and some inputs are deliberately not. */
static void
note_input (const char *json)
{
  g_autofree char *escaped = g_strescape (json, NULL);

  g_test_message ("input: %s", escaped);
}

static TesseraImgurPage *
gallery_from_bytes (GBytes *bytes, const char *base, guint tile_px, TesseraImgurShow show,
                    GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return tessera_imgur_parse_gallery (data, len, base, tile_px, show, error);
}

static TesseraImgurPage *
album_from_bytes (GBytes *bytes, TesseraImgurShow show, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return tessera_imgur_parse_album (data, len, BASE, TILE_PX, show, error);
}

static TesseraImgurPage *
gallery_fixture (const char *name, TesseraImgurShow show)
{
  g_autoptr (GBytes) bytes = load_fixture (name);
  g_autoptr (GError) error = NULL;
  TesseraImgurPage *page = gallery_from_bytes (bytes, BASE, TILE_PX, show, &error);

  g_assert_no_error (error);
  g_assert_nonnull (page);
  return page;
}

static TesseraImgurPage *
album_fixture (const char *name, TesseraImgurShow show)
{
  g_autoptr (GBytes) bytes = load_fixture (name);
  g_autoptr (GError) error = NULL;
  TesseraImgurPage *page = album_from_bytes (bytes, show, &error);

  g_assert_no_error (error);
  g_assert_nonnull (page);
  return page;
}

static char *
error_message_fixture (const char *name)
{
  g_autoptr (GBytes) bytes = load_fixture (name);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return tessera_imgur_parse_error_message (data, len);
}

static TesseraImgurPage *
gallery_from_string (const char *json, GError **error)
{
  g_autoptr (GBytes) bytes = exact_bytes (json, strlen (json));

  return gallery_from_bytes (bytes, BASE, TILE_PX, TESSERA_IMGUR_SHOW_DEFAULT, error);
}

static TesseraImgurPage *
album_from_string (const char *json, TesseraImgurShow show, GError **error)
{
  g_autoptr (GBytes) bytes = exact_bytes (json, strlen (json));

  return album_from_bytes (bytes, show, error);
}

static char *
error_message_from_string (const char *json)
{
  g_autoptr (GBytes) bytes = exact_bytes (json, strlen (json));
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return tessera_imgur_parse_error_message (data, len);
}

static TesseraImgurPost *
post_at (TesseraImgurPage *page, guint i)
{
  g_assert_cmpuint (i, <, page->posts->len);
  return page->posts->pdata[i];
}

static TesseraImgurPost *
find_post (TesseraImgurPage *page, const char *id)
{
  for (guint i = 0; i < page->posts->len; i++)
    {
      TesseraImgurPost *post = page->posts->pdata[i];

      if (g_str_equal (post->id, id))
        return post;
    }

  g_error ("no post %s", id);
}

static void
assert_post (TesseraImgurPost *post, const char *id, const char *title, TesseraImgurKind kind,
             const char *thumbnail_uri, const char *link, guint images_count)
{
  g_assert_cmpstr (post->id, ==, id);
  g_assert_cmpstr (post->title, ==, title);
  g_assert_cmpint (post->kind, ==, kind);
  g_assert_cmpstr (post->thumbnail_uri, ==, thumbnail_uri);
  g_assert_cmpstr (post->link, ==, link);
  g_assert_cmpuint (post->images_count, ==, images_count);
}

static void
test_gallery_hot_viral (void)
{
  g_autoptr (TesseraImgurPage) page = gallery_fixture (HOT_VIRAL, TESSERA_IMGUR_SHOW_DEFAULT);
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_kind[TESSERA_IMGUR_ALBUM + 1] = { 0 };

  g_assert_cmpuint (page->posts->len, ==, 183);
  g_assert_cmpuint (page->n_skipped, ==, 0);
  /* Every item of this page says "nsfw":false. */
  g_assert_cmpuint (page->n_hidden_nsfw, ==, 0);

  for (guint i = 0; i < page->posts->len; i++)
    {
      TesseraImgurPost *post = post_at (page, i);

      n_kind[post->kind]++;
      g_assert_true (g_hash_table_add (ids, post->id));
      g_assert_nonnull (post->title);
      g_assert_nonnull (post->link);
      g_assert_true (g_str_has_prefix (post->thumbnail_uri, BASE "/"));
      g_assert_true (g_str_has_suffix (post->thumbnail_uri, "m.jpg"));
      if (post->kind == TESSERA_IMGUR_ALBUM)
        {
          g_autofree char *page_link = g_strconcat ("http://imgur.com/a/", post->id, NULL);

          g_assert_cmpstr (post->link, ==, page_link);
          /* The 2014 shape has neither images_count nor images on gallery albums. */
          g_assert_cmpuint (post->images_count, ==, 0);
        }
      else
        {
          g_assert_true (g_str_has_prefix (post->link, "http://i.imgur.com/"));
          g_assert_nonnull (strstr (post->thumbnail_uri, post->id));
        }
    }
  g_assert_cmpuint (n_kind[TESSERA_IMGUR_ALBUM], ==, 30);
  g_assert_cmpuint (n_kind[TESSERA_IMGUR_ANIMATION], ==, 31);
  g_assert_cmpuint (n_kind[TESSERA_IMGUR_IMAGE], ==, 122);

  assert_post (post_at (page, 0), "g2RXrlZ", "Arnold Schwarzenegger on QVC.",
               TESSERA_IMGUR_ANIMATION, BASE "/g2RXrlZm.jpg", "http://i.imgur.com/g2RXrlZ.gif", 0);
  assert_post (post_at (page, 1), "mrTfjhV",
               "My German Shepherd isn't allowed on my bed. When I caught him he rolled off and "
               "tried to act casual...",
               TESSERA_IMGUR_IMAGE, BASE "/mrTfjhVm.jpg", "http://i.imgur.com/mrTfjhV.jpg", 0);
  /* The first album: its thumbnail is its cover's, not its own id's. */
  assert_post (post_at (page, 2), "XlaGd", "Guess who's back", TESSERA_IMGUR_ALBUM,
               BASE "/ckwRGs8m.jpg", "http://imgur.com/a/XlaGd", 0);
  /* A GIF that Imgur says is not animated stays an image. */
  assert_post (post_at (page, 16), "VpwkuQt", "the pinhole trick", TESSERA_IMGUR_IMAGE,
               BASE "/VpwkuQtm.jpg", "http://i.imgur.com/VpwkuQt.gif", 0);
  assert_post (post_at (page, 182), "i96K3YN", "Visual history of all 30 NHL home jerseys",
               TESSERA_IMGUR_IMAGE, BASE "/i96K3YNm.jpg", "http://i.imgur.com/i96K3YN.png", 0);

  /* \u escapes come out as UTF-8, the stray BOM included. */
  g_assert_cmpstr (find_post (page, "zCRpr")->title, ==,
                   "this was so important to me when i was young and i didn\u2019t even know it");
  g_assert_cmpstr (find_post (page, "wPlhVlK")->title, ==, "Can YOUR cat do this?\ufeff");
}

static void
test_gallery_base_and_size (void)
{
  g_autoptr (GBytes) bytes = load_fixture (HOT_VIRAL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) small = NULL;
  g_autoptr (TesseraImgurPage) large = NULL;

  small = gallery_from_bytes (bytes, "http://127.0.0.1:8080/", 100, TESSERA_IMGUR_SHOW_DEFAULT,
                              &error);
  g_assert_no_error (error);
  g_assert_cmpstr (post_at (small, 0)->thumbnail_uri, ==, "http://127.0.0.1:8080/g2RXrlZt.jpg");
  g_assert_cmpstr (post_at (small, 2)->thumbnail_uri, ==, "http://127.0.0.1:8080/ckwRGs8t.jpg");

  large = gallery_from_bytes (bytes, "http://127.0.0.1:8080", 600, TESSERA_IMGUR_SHOW_NSFW, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (large->posts->len, ==, 183);
  g_assert_cmpstr (post_at (large, 0)->thumbnail_uri, ==, "http://127.0.0.1:8080/g2RXrlZh.jpg");
}

static void
test_gallery_newer_shapes (void)
{
  g_autoptr (TesseraImgurPage) page = gallery_fixture (OWN_GALLERY, TESSERA_IMGUR_SHOW_NSFW);

  g_assert_cmpuint (page->posts->len, ==, 8);
  g_assert_cmpuint (page->n_skipped, ==, 0);
  g_assert_cmpuint (page->n_hidden_nsfw, ==, 0);

  assert_post (post_at (page, 0), "aB3dE5f", "A plain photo", TESSERA_IMGUR_IMAGE,
               BASE "/aB3dE5fm.jpg", "https://i.imgur.com/aB3dE5f.jpg", 0);
  assert_post (post_at (page, 1), "Nsfw001", "Marked not safe for work", TESSERA_IMGUR_IMAGE,
               BASE "/Nsfw001m.jpg", "https://i.imgur.com/Nsfw001.png", 0);
  assert_post (post_at (page, 2), "AlbNs01", "An album marked not safe for work",
               TESSERA_IMGUR_ALBUM, BASE "/CovNs01m.jpg", "https://imgur.com/a/AlbNs01", 5);
  assert_post (post_at (page, 3), "Mp4Vid1", "A clip with sound", TESSERA_IMGUR_ANIMATION,
               BASE "/Mp4Vid1m.jpg", "https://i.imgur.com/Mp4Vid1.mp4", 0);
  /* images_count wins over the three previews; an empty title is no title. */
  assert_post (post_at (page, 4), "Alb0001", NULL, TESSERA_IMGUR_ALBUM, BASE "/Cov0001m.jpg",
               "https://imgur.com/a/Alb0001", 12);
  /* No cover: the first preview stands in. */
  assert_post (post_at (page, 5), "Alb0002", "An album whose cover is not given",
               TESSERA_IMGUR_ALBUM, BASE "/Prev001m.jpg", "https://imgur.com/a/Alb0002", 2);
  /* video/mp4 is an animation even when "animated" says otherwise. */
  assert_post (post_at (page, 6), "Vid0002", "A video not flagged as animated",
               TESSERA_IMGUR_ANIMATION, BASE "/Vid0002m.jpg", "https://i.imgur.com/Vid0002.mp4", 0);
  assert_post (post_at (page, 7), "StrNsfw", "nsfw given as a string, which is not true",
               TESSERA_IMGUR_IMAGE, BASE "/StrNsfwm.jpg", "https://i.imgur.com/StrNsfw.jpg", 0);
}

static void
test_gallery_nsfw (void)
{
  g_autoptr (TesseraImgurPage) shown = gallery_fixture (OWN_GALLERY, TESSERA_IMGUR_SHOW_NSFW);
  g_autoptr (TesseraImgurPage) hidden = gallery_fixture (OWN_GALLERY, TESSERA_IMGUR_SHOW_DEFAULT);
  const char *expected[] = { "aB3dE5f", "Mp4Vid1", "Alb0001", "Alb0002", "Vid0002", "StrNsfw" };

  g_assert_cmpuint (shown->posts->len, ==, 8);
  g_assert_cmpuint (shown->n_hidden_nsfw, ==, 0);

  /* Only JSON true hides: null, false, missing and "true" do not. */
  g_assert_cmpuint (hidden->posts->len, ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (hidden->n_hidden_nsfw, ==, 2);
  g_assert_cmpuint (hidden->n_skipped, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (post_at (hidden, i)->id, ==, expected[i]);
}

static void
test_gallery_nsfw_invalid_is_skipped (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page = gallery_from_string (
      "{\"data\":[{\"id\":\"a/b\",\"nsfw\":true},{\"id\":\"ok\",\"nsfw\":true}]}", &error);

  /* What could not be shown anyway counts as skipped, not as hidden. */
  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 0);
  g_assert_cmpuint (page->n_skipped, ==, 1);
  g_assert_cmpuint (page->n_hidden_nsfw, ==, 1);
}

static void
test_gallery_album_counts (void)
{
  const struct
  {
    const char *item;
    guint images_count;
  } cases[] = {
    { "\"images_count\":7", 7 },
    { "\"images_count\":0", 0 },
    { "\"images_count\":-3", 0 },
    { "\"images_count\":2.9", 2 },
    { "\"images_count\":1e30", G_MAXUINT },
    { "\"images_count\":4294967295", G_MAXUINT },
    { "\"images_count\":4294967294", G_MAXUINT - 1 },
    /* Imgur sends some numbers as strings: "3" is 3; what is no count falls back. */
    { "\"images_count\":\"5\",\"images\":[{\"id\":\"a\"},{\"id\":\"b\"}]", 5 },
    { "\"images_count\":\"3\"", 3 },
    { "\"images_count\":\" 12 \"", 12 },
    { "\"images_count\":\"0\"", 0 },
    { "\"images_count\":\"99999999999\"", G_MAXUINT },
    { "\"images_count\":\"three\",\"images\":[{\"id\":\"a\"}]", 1 },
    { "\"images_count\":\"-1\",\"images\":[{\"id\":\"a\"}]", 1 },
    { "\"images_count\":\"2.5\"", 0 },
    { "\"images_count\":\"\"", 0 },
    { "\"images_count\":null", 0 },
    { "\"images\":[]", 0 },
    { "\"images\":[1,2,3]", 3 },
    { "\"images\":{\"id\":\"a\"}", 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (
          "{\"data\":[{\"id\":\"alb\",\"is_album\":true,\"cover\":\"cov\",%s}]}", cases[i].item);
      g_autoptr (GError) error = NULL;
      g_autoptr (TesseraImgurPage) page = gallery_from_string (json, &error);

      note_input (json);
      g_assert_no_error (error);
      g_assert_cmpuint (page->posts->len, ==, 1);
      g_assert_cmpuint (post_at (page, 0)->images_count, ==, cases[i].images_count);
    }
}

static void
test_gallery_optional_fields (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page = gallery_from_string (
      "{\"data\":["
      "{\"id\":\"noTitle\"},"
      "{\"id\":\"wrongTypes\",\"title\":5,\"link\":[],\"animated\":\"yes\","
      "\"type\":7,\"nsfw\":\"true\",\"is_album\":\"true\",\"cover\":\"x\"},"
      "{\"id\":\"nulls\",\"title\":null,\"link\":null,\"animated\":null,"
      "\"type\":null,\"nsfw\":null,\"is_album\":null},"
      "{\"id\":\"badUtf8\",\"title\":\"caf\xe9\",\"link\":\"http://x/\xff\"},"
      "{\"id\":\"gif\",\"type\":\"image/gif\",\"animated\":true},"
      "{\"id\":\"webm\",\"type\":\"video/webm\"},"
      "{\"id\":\"notVideo\",\"type\":\"videos\"}"
      "]}",
      &error);

  g_assert_no_error (error);
  g_assert_cmpuint (page->n_skipped, ==, 0);
  g_assert_cmpuint (page->posts->len, ==, 7);
  assert_post (post_at (page, 0), "noTitle", NULL, TESSERA_IMGUR_IMAGE, BASE "/noTitlem.jpg", NULL,
               0);
  assert_post (post_at (page, 1), "wrongTypes", NULL, TESSERA_IMGUR_IMAGE, BASE "/wrongTypesm.jpg",
               NULL, 0);
  assert_post (post_at (page, 2), "nulls", NULL, TESSERA_IMGUR_IMAGE, BASE "/nullsm.jpg", NULL, 0);
  /* Bytes that are not UTF-8 are replaced in titles and make a link unusable. */
  assert_post (post_at (page, 3), "badUtf8", "caf\xef\xbf\xbd", TESSERA_IMGUR_IMAGE,
               BASE "/badUtf8m.jpg", NULL, 0);
  g_assert_cmpint (post_at (page, 4)->kind, ==, TESSERA_IMGUR_ANIMATION);
  g_assert_cmpint (post_at (page, 5)->kind, ==, TESSERA_IMGUR_ANIMATION);
  g_assert_cmpint (post_at (page, 6)->kind, ==, TESSERA_IMGUR_IMAGE);
}

static void
test_gallery_ids (void)
{
  g_autofree char *id32 = g_strnfill (TESSERA_IMGUR_MAX_ID_LENGTH, 'a');
  g_autofree char *id33 = g_strnfill (TESSERA_IMGUR_MAX_ID_LENGTH + 1, 'b');
  g_autofree char *id200 = g_strnfill (200, 'c');
  g_autofree char *cover33 = g_strnfill (TESSERA_IMGUR_MAX_ID_LENGTH + 1, 'd');
  g_autofree char *json
      = g_strdup_printf ("{\"data\":[{\"id\":\"%s\"},{\"id\":\"%s\"},{\"id\":\"%s\"},"
                         "{\"id\":\"alb\",\"is_album\":true,\"cover\":\"%s\"}]}",
                         id32, id33, id200, cover33);
  g_autofree char *uri = g_strconcat (BASE "/", id32, "m.jpg", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page = gallery_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 1);
  g_assert_cmpuint (page->n_skipped, ==, 3);
  g_assert_cmpstr (post_at (page, 0)->id, ==, id32);
  g_assert_cmpstr (post_at (page, 0)->thumbnail_uri, ==, uri);
}

typedef struct
{
  const char *name;
  const char *json;
  gboolean fails;
  guint n_posts;
  guint n_skipped;
} MalformedCase;

static const MalformedCase malformed_cases[] = {
  { "empty", "", TRUE, 0, 0 },
  { "whitespace", " \n\t", TRUE, 0, 0 },
  { "truncated", "{\"data\":[{\"id\":\"abc\"", TRUE, 0, 0 },
  { "truncated after the list", "{\"data\":[{\"id\":\"abc\"}]", TRUE, 0, 0 },
  { "not JSON", "<html>Over capacity</html>", TRUE, 0, 0 },
  { "array at the top", "[]", TRUE, 0, 0 },
  { "string at the top", "\"data\"", TRUE, 0, 0 },
  { "null at the top", "null", TRUE, 0, 0 },
  { "data is an object", "{\"data\":{}}", TRUE, 0, 0 },
  { "data is null", "{\"data\":null}", TRUE, 0, 0 },
  { "data is missing", "{\"success\":true,\"status\":200}", TRUE, 0, 0 },
  { "success false", "{\"data\":[{\"id\":\"abc\"}],\"success\":false,\"status\":500}", TRUE, 0, 0 },
  { "garbage after", "{\"data\":[]} x", TRUE, 0, 0 },
  { "two documents", "{\"data\":[]}{\"data\":[]}", TRUE, 0, 0 },
  { "NUL after", "{\"data\":[]}\0", TRUE, 0, 0 },
  { "whitespace after", "{\"data\":[]}\r\n", FALSE, 0, 0 },
  { "byte order mark", "\xef\xbb\xbf{\"data\":[]}", FALSE, 0, 0 },
  { "empty list", "{\"data\":[],\"success\":true,\"status\":200}", FALSE, 0, 0 },
  { "no success", "{\"data\":[{\"id\":\"abc\"}]}", FALSE, 1, 0 },
  { "success not a boolean", "{\"data\":[{\"id\":\"abc\"}],\"success\":\"false\"}", FALSE, 1, 0 },
  { "items not objects", "{\"data\":[1,\"abc\",null,true,[],{\"id\":\"ok1\"}]}", FALSE, 1, 5 },
  { "numeric ids", "{\"data\":[{\"id\":123},{\"id\":1.5},{\"id\":\"ok1\"}]}", FALSE, 1, 2 },
  { "no id", "{\"data\":[{\"title\":\"t\"},{\"id\":null},{\"id\":\"\"}]}", FALSE, 0, 3 },
  { "id with a slash", "{\"data\":[{\"id\":\"a/b\"},{\"id\":\"ab/\"}]}", FALSE, 0, 2 },
  { "id with dots", "{\"data\":[{\"id\":\"..\"},{\"id\":\"..abc\"},{\"id\":\"a.b\"}]}", FALSE, 0,
    3 },
  { "id with other characters",
    "{\"data\":[{\"id\":\"a b\"},{\"id\":\"a?b\"},{\"id\":\"a%2F\"},{\"id\":\"ab\\u00e9\"},"
    "{\"id\":\"a-b\"},{\"id\":\"a_b\"}]}",
    FALSE, 0, 6 },
  { "album without cover or images", "{\"data\":[{\"id\":\"abc\",\"is_album\":true}]}", FALSE, 0,
    1 },
  { "album with bad cover, no images",
    "{\"data\":[{\"id\":\"abc\",\"is_album\":true,\"cover\":\"../x\",\"images\":[]}]}", FALSE, 0,
    1 },
  { "album with numeric cover", "{\"data\":[{\"id\":\"abc\",\"is_album\":true,\"cover\":5}]}",
    FALSE, 0, 1 },
  { "album with bad cover, first image valid",
    "{\"data\":[{\"id\":\"abc\",\"is_album\":true,\"cover\":\"a/"
    "b\",\"images\":[{\"id\":\"x1\"}]}]}",
    FALSE, 1, 0 },
  { "album whose first image is bad",
    "{\"data\":[{\"id\":\"abc\",\"is_album\":true,\"images\":[{\"id\":\"a/b\"},{\"id\":\"x2\"}]}]}",
    FALSE, 0, 1 },
  { "album with a bad id", "{\"data\":[{\"id\":\"a.b\",\"is_album\":true,\"cover\":\"x1\"}]}",
    FALSE, 0, 1 },
  { "missing title", "{\"data\":[{\"id\":\"abc\"}]}", FALSE, 1, 0 },
};

static void
test_gallery_malformed (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (malformed_cases); i++)
    {
      const MalformedCase *c = &malformed_cases[i];
      /* "NUL after" holds a NUL that strlen would not count. */
      gsize len = strlen (c->json) + (g_str_equal (c->name, "NUL after") ? 1 : 0);
      g_autoptr (GBytes) bytes = exact_bytes (c->json, len);
      g_autoptr (GError) error = NULL;
      g_autoptr (TesseraImgurPage) page = NULL;

      g_test_message ("case: %s", c->name);
      page = gallery_from_bytes (bytes, BASE, TILE_PX, TESSERA_IMGUR_SHOW_DEFAULT, &error);
      if (c->fails)
        {
          g_assert_null (page);
          g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY);
          g_assert_nonnull (error->message);
          g_assert_cmpstr (error->message, !=, "");
          continue;
        }

      g_assert_no_error (error);
      g_assert_nonnull (page);
      g_assert_cmpuint (page->posts->len, ==, c->n_posts);
      g_assert_cmpuint (page->n_skipped, ==, c->n_skipped);
      g_assert_cmpuint (page->n_hidden_nsfw, ==, 0);
    }
}

static void
test_gallery_missing_title (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page = gallery_from_string (
      "{\"data\":[{\"id\":\"abc\"},{\"id\":\"def\",\"title\":\"\"}]}", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 2);
  g_assert_null (post_at (page, 0)->title);
  g_assert_null (post_at (page, 1)->title);
}

static void
test_gallery_deep_nesting (void)
{
  const gsize depth = 5000;
  GString *json = g_string_new ("{\"data\":[");
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page = NULL;
  g_autoptr (GBytes) bytes = NULL;

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (json, '[');
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (json, ']');
  g_string_append (json, "]}");
  bytes = g_string_free_to_bytes (json);

  /* cJSON refuses nesting past its limit rather than exhausting the stack. */
  page = gallery_from_bytes (bytes, BASE, TILE_PX, TESSERA_IMGUR_SHOW_DEFAULT, &error);
  g_assert_null (page);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY);
}

static void
test_gallery_success_false_message (void)
{
  g_autoptr (GBytes) bytes = load_fixture (ERROR_403);
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page
      = gallery_from_bytes (bytes, BASE, TILE_PX, TESSERA_IMGUR_SHOW_DEFAULT, &error);

  g_assert_null (page);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY);
  g_assert_nonnull (strstr (error->message, "Invalid client_id"));
}

static void
test_not_nul_terminated (void)
{
  const char *doc = "{\"data\":[{\"id\":\"abc\",\"title\":\"T\"}]}";
  g_autofree char *longer = g_strconcat (doc, "{\"data\":[{\"id\":\"zzz\"}]}", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page = NULL;
  gsize len = strlen (doc);

  /* A prefix of a longer buffer: the rest is not looked at. */
  page = tessera_imgur_parse_gallery (longer, len, BASE, TILE_PX, TESSERA_IMGUR_SHOW_DEFAULT,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->posts->len, ==, 1);
  g_assert_cmpstr (post_at (page, 0)->id, ==, "abc");
  g_assert_cmpstr (post_at (page, 0)->title, ==, "T");

  /* Every shorter prefix, each in a buffer of exactly its size, is an error. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr (GBytes) bytes = exact_bytes (doc, cut);
      g_autoptr (GError) cut_error = NULL;
      g_autoptr (TesseraImgurPage) cut_page = NULL;
      g_autofree char *message = NULL;
      gsize size;
      const char *data = g_bytes_get_data (bytes, &size);

      cut_page = tessera_imgur_parse_gallery (data, size, BASE, TILE_PX, TESSERA_IMGUR_SHOW_DEFAULT,
                                              &cut_error);
      g_assert_null (cut_page);
      g_assert_error (cut_error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY);
      message = tessera_imgur_parse_error_message (data, size);
      g_assert_null (message);
    }
}

static void
test_fixture_prefixes (void)
{
  g_autoptr (GBytes) bytes = load_fixture (HOT_VIRAL);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  /* Cut inside a string, a number, a key, and just before the last brace. */
  const gsize cuts[] = { 1, 17, 100, 137, len / 2, len - 2, len - 1 };

  for (gsize i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autoptr (GBytes) prefix = exact_bytes (data, cuts[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (TesseraImgurPage) page
          = gallery_from_bytes (prefix, BASE, TILE_PX, TESSERA_IMGUR_SHOW_DEFAULT, &error);

      g_assert_null (page);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY);
    }
}

static void
test_album_real (void)
{
  g_autoptr (TesseraImgurPage) page = album_fixture (ALBUM_42, TESSERA_IMGUR_SHOW_DEFAULT);

  g_assert_cmpuint (page->posts->len, ==, 42);
  g_assert_cmpuint (page->n_skipped, ==, 0);
  /* The images say "nsfw":null and the album false: nothing is hidden. */
  g_assert_cmpuint (page->n_hidden_nsfw, ==, 0);

  assert_post (post_at (page, 0), "SPi4I3F", "1. Grief", TESSERA_IMGUR_IMAGE, BASE "/SPi4I3Fm.jpg",
               "http://i.imgur.com/SPi4I3F.jpg", 0);
  assert_post (post_at (page, 1), "r9QrtIk", "2. \u201cCome Home, Daddy\u201d", TESSERA_IMGUR_IMAGE,
               BASE "/r9QrtIkm.jpg", "http://i.imgur.com/r9QrtIk.jpg", 0);
  assert_post (post_at (page, 41), "jzysu7h", "42. The Infinite Sky", TESSERA_IMGUR_IMAGE,
               BASE "/jzysu7hm.jpg", "http://i.imgur.com/jzysu7h.jpg", 0);

  for (guint i = 0; i < page->posts->len; i++)
    {
      TesseraImgurPost *post = post_at (page, i);

      g_assert_cmpint (post->kind, ==, TESSERA_IMGUR_IMAGE);
      g_assert_nonnull (post->title);
      g_assert_cmpuint (post->images_count, ==, 0);
    }
}

static void
test_album_images_list (void)
{
  g_autoptr (TesseraImgurPage) shown = album_fixture (OWN_IMAGES, TESSERA_IMGUR_SHOW_NSFW);
  g_autoptr (TesseraImgurPage) hidden = album_fixture (OWN_IMAGES, TESSERA_IMGUR_SHOW_DEFAULT);

  g_assert_cmpuint (shown->posts->len, ==, 5);
  g_assert_cmpuint (shown->n_skipped, ==, 0);
  g_assert_cmpuint (shown->n_hidden_nsfw, ==, 0);
  assert_post (post_at (shown, 0), "LstImg1", "First", TESSERA_IMGUR_IMAGE, BASE "/LstImg1m.jpg",
               "https://i.imgur.com/LstImg1.jpg", 0);
  assert_post (post_at (shown, 1), "LstGif2", NULL, TESSERA_IMGUR_ANIMATION, BASE "/LstGif2m.jpg",
               "https://i.imgur.com/LstGif2.gif", 0);
  assert_post (post_at (shown, 2), "LstVid3", "A short video", TESSERA_IMGUR_ANIMATION,
               BASE "/LstVid3m.jpg", "https://i.imgur.com/LstVid3.mp4", 0);
  assert_post (post_at (shown, 3), "LstNsf4", "Marked not safe for work", TESSERA_IMGUR_IMAGE,
               BASE "/LstNsf4m.jpg", "https://i.imgur.com/LstNsf4.jpg", 0);
  assert_post (post_at (shown, 4), "LstPng5", "Last", TESSERA_IMGUR_IMAGE, BASE "/LstPng5m.jpg",
               "https://i.imgur.com/LstPng5.png", 0);

  g_assert_cmpuint (hidden->posts->len, ==, 4);
  g_assert_cmpuint (hidden->n_hidden_nsfw, ==, 1);
  g_assert_cmpstr (post_at (hidden, 3)->id, ==, "LstPng5");
}

static void
test_album_nsfw_album (void)
{
  const char *json = "{\"data\":{\"id\":\"alb\",\"nsfw\":true,\"images\":"
                     "[{\"id\":\"one\",\"nsfw\":null},{\"id\":\"two\",\"nsfw\":false},"
                     "{\"id\":\"a/b\"}]},\"success\":true,\"status\":200}";
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) hidden
      = album_from_string (json, TESSERA_IMGUR_SHOW_DEFAULT, &error);
  g_autoptr (TesseraImgurPage) shown = NULL;

  /* An album marked nsfw hides every image in it, whatever the images say. */
  g_assert_no_error (error);
  g_assert_cmpuint (hidden->posts->len, ==, 0);
  g_assert_cmpuint (hidden->n_hidden_nsfw, ==, 2);
  g_assert_cmpuint (hidden->n_skipped, ==, 1);

  shown = album_from_string (json, TESSERA_IMGUR_SHOW_NSFW, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shown->posts->len, ==, 2);
  g_assert_cmpuint (shown->n_hidden_nsfw, ==, 0);
  g_assert_cmpuint (shown->n_skipped, ==, 1);
}

static void
test_album_malformed (void)
{
  const struct
  {
    const char *json;
    gboolean fails;
    guint n_posts;
    guint n_skipped;
  } cases[] = {
    { "", TRUE, 0, 0 },
    { "[]", TRUE, 0, 0 },
    { "{\"data\":{}}", TRUE, 0, 0 },
    { "{\"data\":{\"id\":\"alb\",\"images\":null}}", TRUE, 0, 0 },
    { "{\"data\":{\"id\":\"alb\",\"images\":{}}}", TRUE, 0, 0 },
    { "{\"data\":\"alb\"}", TRUE, 0, 0 },
    { "{\"data\":{\"id\":\"alb\",\"images\":[]},\"success\":false}", TRUE, 0, 0 },
    { "{\"data\":{\"id\":\"alb\",\"images\":[]}}", FALSE, 0, 0 },
    { "{\"data\":[]}", FALSE, 0, 0 },
    /* Albums inside an album's list are read as the image they claim to be. */
    { "{\"data\":[{\"id\":\"x1\",\"is_album\":true},{\"id\":5},7,{\"id\":\"../x\"}]}", FALSE, 1,
      3 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TesseraImgurPage) page
          = album_from_string (cases[i].json, TESSERA_IMGUR_SHOW_DEFAULT, &error);

      note_input (cases[i].json);
      if (cases[i].fails)
        {
          g_assert_null (page);
          g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpuint (page->posts->len, ==, cases[i].n_posts);
      g_assert_cmpuint (page->n_skipped, ==, cases[i].n_skipped);
    }
}

static void
test_album_success_false_message (void)
{
  g_autoptr (GBytes) bytes = load_fixture (ERROR_404);
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page = album_from_bytes (bytes, TESSERA_IMGUR_SHOW_DEFAULT, &error);

  g_assert_null (page);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_BAD_REPLY);
  g_assert_nonnull (strstr (error->message, "Unable to find an image with the id, fdsfdsfdsa"));
}

static void
test_error_real (void)
{
  g_autofree char *forbidden = error_message_fixture (ERROR_403);
  g_autofree char *not_found = error_message_fixture (ERROR_404);

  g_assert_cmpstr (forbidden, ==, "Invalid client_id");
  g_assert_cmpstr (not_found, ==, "Unable to find an image with the id, fdsfdsfdsa");
}

static void
test_error_other_shapes (void)
{
  g_autofree char *object = error_message_fixture ("own-error-object-429.json");
  g_autofree char *array = error_message_fixture ("own-error-errors-array-429.json");
  g_autofree char *status_only = error_message_fixture ("own-error-errors-array-status-only.json");

  g_assert_cmpstr (object, ==, "You are over the rate limit, try again in an hour.");
  g_assert_cmpstr (array, ==, "Too Many Requests");
  g_assert_cmpstr (status_only, ==, "Service Unavailable");
}

static void
test_error_table (void)
{
  const struct
  {
    const char *json;
    const char *message;
  } cases[] = {
    { "{\"errors\":[{\"code\":\"429\",\"status\":\"Too Many Requests\",\"detail\":\"Slow down\"}]}",
      "Slow down" },
    { "{\"errors\":[{\"status\":\"Bad Gateway\",\"detail\":\"\"}]}", "Bad Gateway" },
    { "{\"errors\":[{\"status\":5,\"detail\":null},{\"detail\":\"second\"}]}", "second" },
    { "{\"errors\":[\"text\",{\"status\":\"third\"}]}", "third" },
    { "{\"data\":{\"error\":\"plain\"}}", "plain" },
    { "{\"data\":{\"error\":{\"code\":500,\"message\":\"inner\"}},\"success\":false}", "inner" },
    { "{\"data\":{\"error\":\"caf\xe9\"}}", "caf\xef\xbf\xbd" },
    /* Not an error body, or one without text. */
    { "{\"errors\":[]}", NULL },
    { "{\"errors\":[{\"id\":\"x\",\"code\":\"429\"}]}", NULL },
    { "{\"errors\":{\"detail\":\"x\"}}", NULL },
    { "{\"data\":{\"error\":{\"code\":429}}}", NULL },
    { "{\"data\":{\"error\":{\"message\":7}}}", NULL },
    { "{\"data\":{\"error\":5}}", NULL },
    { "{\"data\":{\"error\":\"\"}}", NULL },
    { "{\"data\":\"error\"}", NULL },
    { "{\"data\":[],\"success\":true}", NULL },
    { "{\"error\":\"top level\"}", NULL },
    { "[{\"data\":{\"error\":\"x\"}}]", NULL },
    { "\"Invalid client_id\"", NULL },
    { "{\"data\":{\"error\":\"cut", NULL },
    { "<html>502 Bad Gateway</html>", NULL },
    { "", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = error_message_from_string (cases[i].json);

      note_input (cases[i].json);
      g_assert_cmpstr (message, ==, cases[i].message);
    }
}

static void
test_error_not_an_error (void)
{
  g_autofree char *gallery = error_message_fixture (HOT_VIRAL);
  g_autofree char *album = error_message_fixture (ALBUM_42);

  g_assert_null (gallery);
  g_assert_null (album);
}

static void
assert_shortened (const char *text)
{
  g_autofree char *json = g_strdup_printf ("{\"data\":{\"error\":\"%s\"},\"success\":false}", text);
  g_autofree char *message = error_message_from_string (json);
  gsize len = strlen (message);

  g_assert_cmpuint (len, <=, TESSERA_IMGUR_MAX_MESSAGE);
  /* Nothing more was cut than the character that would not fit whole. */
  g_assert_cmpuint (len, >, TESSERA_IMGUR_MAX_MESSAGE - 4);
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_true (g_str_has_suffix (message, "…"));
  g_assert_true (strncmp (message, text, len - strlen ("…")) == 0);
}

static void
test_error_too_long (void)
{
  const char *fillers[] = { "a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };

  /* Each filler after 0 to 3 ASCII letters puts the limit on every byte of a character. */
  for (gsize f = 0; f < G_N_ELEMENTS (fillers); f++)
    for (gsize lead = 0; lead < 4; lead++)
      {
        GString *text = g_string_new (NULL);
        g_autofree char *owned = NULL;

        for (gsize i = 0; i < lead; i++)
          g_string_append_c (text, 'x');
        while (text->len < 2 * TESSERA_IMGUR_MAX_MESSAGE)
          g_string_append (text, fillers[f]);
        owned = g_string_free (text, FALSE);
        assert_shortened (owned);
      }
}

static void
test_error_length_edges (void)
{
  g_autofree char *exact = g_strnfill (TESSERA_IMGUR_MAX_MESSAGE, 'e');
  g_autofree char *over = g_strnfill (TESSERA_IMGUR_MAX_MESSAGE + 1, 'o');
  g_autofree char *exact_json = g_strdup_printf ("{\"data\":{\"error\":\"%s\"}}", exact);
  g_autofree char *over_json = g_strdup_printf ("{\"data\":{\"error\":\"%s\"}}", over);
  g_autofree char *exact_message = error_message_from_string (exact_json);
  g_autofree char *over_message = error_message_from_string (over_json);

  g_assert_cmpstr (exact_message, ==, exact);
  g_assert_cmpuint (strlen (over_message), ==, TESSERA_IMGUR_MAX_MESSAGE);
  g_assert_true (g_str_has_suffix (over_message, "o…"));
}

static void
test_thumbnail_letter (void)
{
  const struct
  {
    guint tile_px;
    char letter;
  } cases[] = {
    { 0, 't' },
    { 1, 't' },
    { 100, 't' },
    { 106, 't' },
    { 107, 'm' },
    { 180, 'm' },
    { 213, 'm' },
    { 214, 'l' },
    { 360, 'l' },
    { 426, 'l' },
    /* 1.5 × 427 = 640.5, more than l's 640. */
    { 427, 'h' },
    { 428, 'h' },
    { 682, 'h' },
    { 683, 'h' },
    { 2000, 'h' },
    { G_MAXUINT, 'h' },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("tile_px %u", cases[i].tile_px);
      g_assert_cmpint (tessera_imgur_thumbnail_letter (cases[i].tile_px), ==, cases[i].letter);
    }
}

static void
test_thumbnail_uri (void)
{
  const struct
  {
    const char *base;
    const char *id;
    guint tile_px;
    const char *uri;
  } cases[] = {
    { BASE, "abc123", 100, BASE "/abc123t.jpg" },
    { BASE "/", "abc123", 200, BASE "/abc123m.jpg" },
    { "http://127.0.0.1:4000", "Z", 400, "http://127.0.0.1:4000/Zl.jpg" },
    { "http://127.0.0.1:4000/", "Z", 1000, "http://127.0.0.1:4000/Zh.jpg" },
    { "http://host/mirror/", "Ab9", 1, "http://host/mirror/Ab9t.jpg" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri
          = tessera_imgur_thumbnail_uri (cases[i].base, cases[i].id, cases[i].tile_px);

      g_assert_cmpstr (uri, ==, cases[i].uri);
    }
}

static void
assert_strv (const char *const *strv, const char *joined)
{
  g_autofree char *all = g_strjoinv ("|", (char **) strv);

  g_assert_cmpstr (all, ==, joined);
}

/* The tables the parser and the window's dropdowns are built from, defaults first. */
static void
test_choices_tables (void)
{
  assert_strv (tessera_imgur_choices (TESSERA_IMGUR_CHOICE_SECTION), "hot|top|user");
  assert_strv (tessera_imgur_choices (TESSERA_IMGUR_CHOICE_SORT), "viral|top|time|rising");
  assert_strv (tessera_imgur_choices (TESSERA_IMGUR_CHOICE_WINDOW), "day|week|month|year|all");
  g_assert_cmpstr (tessera_imgur_choice_default (TESSERA_IMGUR_CHOICE_SECTION), ==, "hot");
  g_assert_cmpstr (tessera_imgur_choice_default (TESSERA_IMGUR_CHOICE_SORT), ==, "viral");
  g_assert_cmpstr (tessera_imgur_choice_default (TESSERA_IMGUR_CHOICE_WINDOW), ==, "day");
}

static void
test_choices_valid (void)
{
  static const struct
  {
    TesseraImgurChoice choice;
    const char *id;
    gboolean valid;
  } cases[] = {
    { TESSERA_IMGUR_CHOICE_SECTION, "user", TRUE },
    { TESSERA_IMGUR_CHOICE_SECTION, "viral", FALSE }, /* a sort, not a section */
    { TESSERA_IMGUR_CHOICE_SECTION, "HOT", FALSE },
    { TESSERA_IMGUR_CHOICE_SECTION, "", FALSE },
    { TESSERA_IMGUR_CHOICE_SECTION, NULL, FALSE },
    { TESSERA_IMGUR_CHOICE_SORT, "rising", TRUE },
    { TESSERA_IMGUR_CHOICE_SORT, "week", FALSE },
    { TESSERA_IMGUR_CHOICE_WINDOW, "all", TRUE },
    { TESSERA_IMGUR_CHOICE_WINDOW, "../../x", FALSE },
    { TESSERA_IMGUR_CHOICE_WINDOW, "day ", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%d %s", cases[i].choice, cases[i].id ? cases[i].id : "(null)");
      g_assert_cmpint (tessera_imgur_choice_is_valid (cases[i].choice, cases[i].id), ==,
                       cases[i].valid);
    }
}

/* Rising belongs to the user section alone; every other sort to every section. */
static void
test_choices_sort_fits_section (void)
{
  const char *const *sections = tessera_imgur_choices (TESSERA_IMGUR_CHOICE_SECTION);
  const char *const *sorts = tessera_imgur_choices (TESSERA_IMGUR_CHOICE_SORT);
  guint n_fitting = 0;

  for (gsize i = 0; sections[i] != NULL; i++)
    for (gsize j = 0; sorts[j] != NULL; j++)
      {
        gboolean fits = tessera_imgur_sort_fits_section (sections[i], sorts[j]);

        g_assert_cmpint (fits, ==,
                         !g_str_equal (sorts[j], "rising") || g_str_equal (sections[i], "user"));
        n_fitting += fits;
      }
  /* 3 sections × 3 sorts, and user/rising. */
  g_assert_cmpuint (n_fitting, ==, 10);
  g_assert_false (tessera_imgur_sort_fits_section ("hot", "rising"));
  g_assert_true (tessera_imgur_sort_fits_section ("user", "rising"));
}

/* Segments and query values are escaped whatever they hold; the base keeps its path. */
static void
test_build_uri (void)
{
  static const char *const gallery[] = { "3", "gallery", NULL };
  static const char *const odd[] = { "a b/c", "...", "x?y#z", "caf\u00e9", NULL };
  static const char *const climbing[] = { "3", "..", "admin", NULL };
  static const char *const empty[] = { "3", "", "gallery", NULL };
  static const char *const search[]
      = { "q", "cats & dogs #1 caf\u00e9+=%", "mature", "false", NULL };
  static const struct
  {
    const char *base;
    const char *const *segments;
    const char *const *params;
    const char *uri; /* NULL: refused */
  } cases[] = {
    { "https://api.imgur.com", gallery, NULL, "https://api.imgur.com/3/gallery" },
    { "https://api.imgur.com/", gallery, NULL, "https://api.imgur.com/3/gallery" },
    { "http://127.0.0.1:4000///", gallery, NULL, "http://127.0.0.1:4000/3/gallery" },
    { "http://host/mirror/imgur/", gallery, NULL, "http://host/mirror/imgur/3/gallery" },
    { "http://host/a%20b", gallery, NULL, "http://host/a%20b/3/gallery" },
    { "http://host/old?x=1#top", gallery, NULL, "http://host/old/3/gallery" },
    { "http://[::1]:8080", gallery, NULL, "http://[::1]:8080/3/gallery" },
    { "http://user@host", gallery, NULL, "http://user@host/3/gallery" },
    { "http://host", odd, NULL, "http://host/a%20b%2Fc/.../x%3Fy%23z/caf%C3%A9" },
    { "http://host", climbing, NULL, NULL },
    { "http://host", empty, NULL, NULL },
    { "http://host", gallery, search,
      "http://host/3/gallery?q=cats%20%26%20dogs%20%231%20caf%C3%A9%2B%3D%25&mature=false" },
    { "not a uri", gallery, NULL, NULL },
    { "/3/gallery", gallery, NULL, NULL },
    { "h:1", gallery, NULL, NULL },
    { "file:///tmp", gallery, NULL, NULL },
    { "", gallery, NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri
          = tessera_imgur_build_uri (cases[i].base, cases[i].segments, cases[i].params);

      g_test_message ("%s", cases[i].base);
      g_assert_cmpstr (uri, ==, cases[i].uri);
      if (uri != NULL)
        g_assert_true (g_uri_is_valid (uri, G_URI_FLAGS_NONE, NULL));
    }
}

/* What goes into the query comes back out of it unchanged. */
static void
test_build_uri_round_trip (void)
{
  const char *search = "cats & dogs #1 caf\u00e9 +100% ?a=b;c /../ \u732b";
  g_autofree char *uri = tessera_imgur_build_uri (
      "https://api.imgur.com", (const char *const[]){ "3", "gallery", "search", NULL },
      (const char *const[]){ "q", search, NULL });
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr (GHashTable) params = NULL;

  g_assert_nonnull (parsed);
  g_assert_cmpstr (g_uri_get_path (parsed), ==, "/3/gallery/search");
  g_assert_null (g_uri_get_fragment (parsed));
  params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_nonnull (params);
  g_assert_cmpuint (g_hash_table_size (params), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (params, "q"), ==, search);
}

static GHashTable *
headers_new (const char *const *pairs)
{
  GHashTable *headers = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; pairs[i] != NULL; i += 2)
    g_hash_table_insert (headers, (gpointer) pairs[i], (gpointer) pairs[i + 1]);

  return headers;
}

static void
assert_limit (const TesseraImgurRateLimit *limit, gint64 client_limit, gint64 client_remaining,
              gint64 user_limit, gint64 user_remaining, gint64 user_reset)
{
  g_assert_cmpint (limit->client_limit, ==, client_limit);
  g_assert_cmpint (limit->client_remaining, ==, client_remaining);
  g_assert_cmpint (limit->user_limit, ==, user_limit);
  g_assert_cmpint (limit->user_remaining, ==, user_remaining);
  g_assert_cmpint (limit->user_reset, ==, user_reset);
}

static void
test_rate_limit_parse (void)
{
  const char *all[] = { "x-ratelimit-clientlimit",
                        "12500",
                        "x-ratelimit-clientremaining",
                        "12000",
                        "x-ratelimit-userlimit",
                        "2000",
                        "x-ratelimit-userremaining",
                        "1999",
                        "x-ratelimit-userreset",
                        "1700003600",
                        "content-type",
                        "application/json",
                        NULL };
  const char *some[]
      = { "x-ratelimit-clientremaining", "42", "x-ratelimit-userreset", "1700003600", NULL };
  const char *bad[] = { "x-ratelimit-clientlimit",
                        "abc",
                        "x-ratelimit-clientremaining",
                        "",
                        "x-ratelimit-userlimit",
                        "12abc",
                        "x-ratelimit-userremaining",
                        "-5",
                        "x-ratelimit-userreset",
                        "99999999999999999999",
                        NULL };
  const char *odd[] = { "x-ratelimit-clientlimit",
                        " 12500 ",
                        "x-ratelimit-clientremaining",
                        "0x10",
                        "x-ratelimit-userlimit",
                        "1.5",
                        "x-ratelimit-userremaining",
                        "0",
                        "X-RateLimit-UserReset",
                        "1700003600",
                        NULL };
  g_autoptr (GHashTable) all_headers = headers_new (all);
  g_autoptr (GHashTable) some_headers = headers_new (some);
  g_autoptr (GHashTable) bad_headers = headers_new (bad);
  g_autoptr (GHashTable) odd_headers = headers_new (odd);
  g_autoptr (GHashTable) no_headers = g_hash_table_new (g_str_hash, g_str_equal);
  TesseraImgurRateLimit limit;

  tessera_imgur_rate_limit_parse (all_headers, &limit);
  assert_limit (&limit, 12500, 12000, 2000, 1999, 1700003600);

  tessera_imgur_rate_limit_parse (some_headers, &limit);
  assert_limit (&limit, -1, 42, -1, -1, 1700003600);

  tessera_imgur_rate_limit_parse (bad_headers, &limit);
  assert_limit (&limit, -1, -1, -1, -1, -1);

  /* Names are looked up in lower case only, as the fetcher stores them. */
  tessera_imgur_rate_limit_parse (odd_headers, &limit);
  assert_limit (&limit, 12500, -1, -1, 0, -1);

  tessera_imgur_rate_limit_parse (no_headers, &limit);
  assert_limit (&limit, -1, -1, -1, -1, -1);

  tessera_imgur_rate_limit_parse (NULL, &limit);
  assert_limit (&limit, -1, -1, -1, -1, -1);
}

static void
test_rate_limit_exhausted (void)
{
  const struct
  {
    gint64 client_remaining;
    gint64 user_remaining;
    gboolean exhausted;
  } cases[] = {
    { 0, 100, TRUE }, { 100, 0, TRUE },  { 0, 0, TRUE },   { -1, 0, TRUE },  { 0, -1, TRUE },
    { 1, 1, FALSE },  { -1, -1, FALSE }, { 1, -1, FALSE }, { -1, 1, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TesseraImgurRateLimit limit
          = { 12500, cases[i].client_remaining, 2000, cases[i].user_remaining, 1700003600 };

      g_assert_cmpint (tessera_imgur_rate_limit_exhausted (&limit), ==, cases[i].exhausted);
    }
}

static void
test_rate_limit_from_headers_exhausted (void)
{
  const char *spent[]
      = { "x-ratelimit-clientlimit", "12500", "x-ratelimit-clientremaining", "0", NULL };
  const char *fine[]
      = { "x-ratelimit-clientremaining", "3", "x-ratelimit-userremaining", "2", NULL };
  g_autoptr (GHashTable) spent_headers = headers_new (spent);
  g_autoptr (GHashTable) fine_headers = headers_new (fine);
  TesseraImgurRateLimit limit;

  tessera_imgur_rate_limit_parse (spent_headers, &limit);
  g_assert_true (tessera_imgur_rate_limit_exhausted (&limit));
  tessera_imgur_rate_limit_parse (fine_headers, &limit);
  g_assert_false (tessera_imgur_rate_limit_exhausted (&limit));
}

static void
test_free (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TesseraImgurPage) page = gallery_from_string (
      "{\"data\":[{\"id\":\"abc\",\"title\":\"T\",\"link\":\"L\"}]}", &error);
  g_autoptr (TesseraImgurPost) post = NULL;

  g_assert_no_error (error);
  /* A post taken out of its page lives on alone. */
  post = g_ptr_array_steal_index (page->posts, 0);
  g_clear_pointer (&page, tessera_imgur_page_free);
  g_assert_cmpstr (post->id, ==, "abc");
  g_assert_cmpstr (post->title, ==, "T");

  tessera_imgur_page_free (NULL);
  tessera_imgur_post_free (NULL);
}

/* The parsers run on the loader's workers: many at once must agree. */
static gpointer
parse_in_thread (gpointer data)
{
  GBytes *bytes = data;

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TesseraImgurPage) page
          = gallery_from_bytes (bytes, BASE, TILE_PX, TESSERA_IMGUR_SHOW_DEFAULT, &error);
      g_autoptr (TesseraImgurPage) broken = NULL;
      gsize len;
      const char *json = g_bytes_get_data (bytes, &len);

      g_assert_no_error (error);
      g_assert_cmpuint (page->posts->len, ==, 183);
      broken = tessera_imgur_parse_gallery (json, len / 2, BASE, TILE_PX,
                                            TESSERA_IMGUR_SHOW_DEFAULT, NULL);
      g_assert_null (broken);
    }

  return NULL;
}

/* What today's posts hold, as a person expects to get them: a video's original is its mp4
 * (a .gifv link means the same id's .mp4), an album without a cover is still a post (its
 * count sent as a string), a promoted post is hidden unless asked for, and then says it is
 * promoted. */
static void
test_gallery_real_world (void)
{
  static const struct
  {
    TesseraImgurShow show;
    guint n_posts;
    guint n_hidden_promoted;
  } shows[] = {
    { TESSERA_IMGUR_SHOW_DEFAULT, 5, 1 },
    { TESSERA_IMGUR_SHOW_NSFW, 5, 1 },
    { TESSERA_IMGUR_SHOW_PROMOTED, 6, 0 },
    { TESSERA_IMGUR_SHOW_NSFW | TESSERA_IMGUR_SHOW_PROMOTED, 6, 0 },
  };
  static const struct
  {
    const char *id;
    const char *title;
    TesseraImgurKind kind;
    const char *thumbnail_uri; /* NULL: a placeholder */
    const char *link;
    guint images_count;
    gboolean promoted;
  } posts[] = {
    { "RwPic01", "Morning fog over the bay", TESSERA_IMGUR_IMAGE, BASE "/RwPic01m.jpg",
      "https://i.imgur.com/RwPic01.jpg", 0, FALSE },
    { "RwVid01", "A dog learns to surf", TESSERA_IMGUR_ANIMATION, BASE "/RwVid01m.jpg",
      "https://i.imgur.com/RwVid01.mp4", 0, FALSE },
    { "RwGifv1", "Cat vs cucumber", TESSERA_IMGUR_ANIMATION, BASE "/RwGifv1m.jpg",
      "https://i.imgur.com/RwGifv1.mp4", 0, FALSE },
    { "RwGmp41", NULL, TESSERA_IMGUR_ANIMATION, BASE "/RwGmp41m.jpg",
      "https://i.imgur.com/RwGmp41.mp4", 0, FALSE },
    { "RwAlb01", "Things I found in the attic", TESSERA_IMGUR_ALBUM, NULL,
      "https://imgur.com/a/RwAlb01", 3, FALSE },
    { "RwAd001", "Try our new game today", TESSERA_IMGUR_IMAGE, BASE "/RwAd001m.jpg",
      "https://i.imgur.com/RwAd001.jpg", 0, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (shows); i++)
    {
      g_autoptr (TesseraImgurPage) page = gallery_fixture (REAL_WORLD, shows[i].show);

      g_test_message ("show %d", shows[i].show);
      g_assert_cmpuint (page->posts->len, ==, shows[i].n_posts);
      g_assert_cmpuint (page->n_skipped, ==, 0);
      g_assert_cmpuint (page->n_hidden_nsfw, ==, 0);
      g_assert_cmpuint (page->n_hidden_promoted, ==, shows[i].n_hidden_promoted);
      for (guint j = 0; j < page->posts->len; j++)
        {
          assert_post (post_at (page, j), posts[j].id, posts[j].title, posts[j].kind,
                       posts[j].thumbnail_uri, posts[j].link, posts[j].images_count);
          g_assert_cmpint (post_at (page, j)->promoted, ==, posts[j].promoted);
        }
    }
}

/* The original each item's fields give; what is not a video stays as linked. */
static void
test_gallery_video_links (void)
{
  static const struct
  {
    const char *item;
    TesseraImgurKind kind;
    const char *link;
  } cases[] = {
    { "\"type\":\"video/mp4\",\"link\":\"https://i.imgur.com/v.mp4\"", TESSERA_IMGUR_ANIMATION,
      "https://i.imgur.com/v.mp4" },
    { "\"type\":\"image/gif\",\"animated\":true,\"link\":\"https://i.imgur.com/v.gifv\"",
      TESSERA_IMGUR_ANIMATION, "https://i.imgur.com/v.mp4" },
    { "\"type\":\"image/gif\",\"animated\":true,\"link\":\"https://i.imgur.com/v.mp4\"",
      TESSERA_IMGUR_ANIMATION, "https://i.imgur.com/v.mp4" },
    /* A GIF linked as a GIF is saved as the GIF. */
    { "\"type\":\"image/gif\",\"animated\":true,\"link\":\"https://i.imgur.com/v.gif\","
      "\"mp4\":\"https://i.imgur.com/v.mp4\"",
      TESSERA_IMGUR_ANIMATION, "https://i.imgur.com/v.gif" },
    /* A video whose link is not its file gives the file as "mp4". */
    { "\"type\":\"video/mp4\",\"link\":\"https://i.imgur.com/v.gif\","
      "\"mp4\":\"https://i.imgur.com/v.mp4\"",
      TESSERA_IMGUR_ANIMATION, "https://i.imgur.com/v.mp4" },
    { "\"type\":\"video/mp4\",\"mp4\":\"https://i.imgur.com/v.mp4\"", TESSERA_IMGUR_ANIMATION,
      "https://i.imgur.com/v.mp4" },
    { "\"type\":\"video/mp4\",\"link\":\"https://i.imgur.com/v.gifv\"", TESSERA_IMGUR_ANIMATION,
      "https://i.imgur.com/v.mp4" },
    { "\"type\":\"image/jpeg\",\"link\":\"https://i.imgur.com/v.jpg\","
      "\"mp4\":\"https://i.imgur.com/v.mp4\"",
      TESSERA_IMGUR_IMAGE, "https://i.imgur.com/v.jpg" },
    { "\"type\":\"video/mp4\"", TESSERA_IMGUR_ANIMATION, NULL },
    { "\"link\":\".gifv\"", TESSERA_IMGUR_IMAGE, ".mp4" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json
          = g_strdup_printf ("{\"data\":[{\"id\":\"v\",\"is_album\":false,%s}]}", cases[i].item);
      g_autoptr (GError) error = NULL;
      g_autoptr (TesseraImgurPage) page = gallery_from_string (json, &error);

      note_input (json);
      g_assert_no_error (error);
      g_assert_cmpuint (page->posts->len, ==, 1);
      g_assert_cmpint (post_at (page, 0)->kind, ==, cases[i].kind);
      g_assert_cmpstr (post_at (page, 0)->link, ==, cases[i].link);
    }
}

/* An album without a cover is shown by its link; only one with neither is skipped. Promoted
 * posts are hidden, whatever else they are; "true" as a string is not true. */
static void
test_gallery_coverless_and_promoted (void)
{
  static const struct
  {
    const char *item;
    guint n_posts;
    guint n_skipped;
    guint n_hidden_promoted;
  } cases[] = {
    { "\"is_album\":true,\"cover\":null,\"link\":\"https://imgur.com/a/x\"", 1, 0, 0 },
    { "\"is_album\":true,\"link\":\"https://imgur.com/a/x\",\"images\":[]", 1, 0, 0 },
    { "\"is_album\":true,\"cover\":null", 0, 1, 0 },
    { "\"is_album\":true,\"cover\":\"bad/id\",\"link\":\"https://imgur.com/a/x\"", 1, 0, 0 },
    { "\"is_ad\":true", 0, 0, 1 },
    { "\"is_ad\":true,\"is_album\":true,\"cover\":null,\"link\":\"https://imgur.com/a/x\"", 0, 0,
      1 },
    { "\"is_ad\":\"true\"", 1, 0, 0 },
    { "\"is_ad\":false", 1, 0, 0 },
    { "\"is_ad\":null", 1, 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"data\":[{\"id\":\"x\",%s}]}", cases[i].item);
      g_autoptr (GError) error = NULL;
      g_autoptr (TesseraImgurPage) page = gallery_from_string (json, &error);

      note_input (json);
      g_assert_no_error (error);
      g_assert_cmpuint (page->posts->len, ==, cases[i].n_posts);
      g_assert_cmpuint (page->n_skipped, ==, cases[i].n_skipped);
      g_assert_cmpuint (page->n_hidden_promoted, ==, cases[i].n_hidden_promoted);
      if (page->posts->len == 1)
        g_assert_false (post_at (page, 0)->promoted);
      if (page->posts->len == 1 && post_at (page, 0)->kind == TESSERA_IMGUR_ALBUM)
        g_assert_null (post_at (page, 0)->thumbnail_uri);
    }
}

static void
test_threads (void)
{
  g_autoptr (GBytes) bytes = load_fixture (HOT_VIRAL);
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("imgur-parse", parse_in_thread, bytes);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imgur/gallery/hot-viral", test_gallery_hot_viral);
  g_test_add_func ("/imgur/gallery/base-and-size", test_gallery_base_and_size);
  g_test_add_func ("/imgur/gallery/newer-shapes", test_gallery_newer_shapes);
  g_test_add_func ("/imgur/gallery/nsfw", test_gallery_nsfw);
  g_test_add_func ("/imgur/gallery/nsfw-invalid-is-skipped", test_gallery_nsfw_invalid_is_skipped);
  g_test_add_func ("/imgur/gallery/album-counts", test_gallery_album_counts);
  g_test_add_func ("/imgur/gallery/real-world", test_gallery_real_world);
  g_test_add_func ("/imgur/gallery/video-links", test_gallery_video_links);
  g_test_add_func ("/imgur/gallery/coverless-and-promoted", test_gallery_coverless_and_promoted);
  g_test_add_func ("/imgur/gallery/optional-fields", test_gallery_optional_fields);
  g_test_add_func ("/imgur/gallery/ids", test_gallery_ids);
  g_test_add_func ("/imgur/gallery/malformed", test_gallery_malformed);
  g_test_add_func ("/imgur/gallery/missing-title", test_gallery_missing_title);
  g_test_add_func ("/imgur/gallery/deep-nesting", test_gallery_deep_nesting);
  g_test_add_func ("/imgur/gallery/success-false-message", test_gallery_success_false_message);
  g_test_add_func ("/imgur/parse/not-nul-terminated", test_not_nul_terminated);
  g_test_add_func ("/imgur/parse/fixture-prefixes", test_fixture_prefixes);
  g_test_add_func ("/imgur/parse/threads", test_threads);
  g_test_add_func ("/imgur/album/real", test_album_real);
  g_test_add_func ("/imgur/album/images-list", test_album_images_list);
  g_test_add_func ("/imgur/album/nsfw-album", test_album_nsfw_album);
  g_test_add_func ("/imgur/album/malformed", test_album_malformed);
  g_test_add_func ("/imgur/album/success-false-message", test_album_success_false_message);
  g_test_add_func ("/imgur/error/real", test_error_real);
  g_test_add_func ("/imgur/error/other-shapes", test_error_other_shapes);
  g_test_add_func ("/imgur/error/table", test_error_table);
  g_test_add_func ("/imgur/error/not-an-error", test_error_not_an_error);
  g_test_add_func ("/imgur/error/too-long", test_error_too_long);
  g_test_add_func ("/imgur/error/length-edges", test_error_length_edges);
  g_test_add_func ("/imgur/thumbnail/letter", test_thumbnail_letter);
  g_test_add_func ("/imgur/thumbnail/uri", test_thumbnail_uri);
  g_test_add_func ("/imgur/choices/tables", test_choices_tables);
  g_test_add_func ("/imgur/choices/valid", test_choices_valid);
  g_test_add_func ("/imgur/choices/sort-fits-section", test_choices_sort_fits_section);
  g_test_add_func ("/imgur/uri/build", test_build_uri);
  g_test_add_func ("/imgur/uri/round-trip", test_build_uri_round_trip);
  g_test_add_func ("/imgur/rate-limit/parse", test_rate_limit_parse);
  g_test_add_func ("/imgur/rate-limit/exhausted", test_rate_limit_exhausted);
  g_test_add_func ("/imgur/rate-limit/from-headers", test_rate_limit_from_headers_exhausted);
  g_test_add_func ("/imgur/free", test_free);

  return g_test_run ();
}
