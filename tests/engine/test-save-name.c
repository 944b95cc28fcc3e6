/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-save-name.c: names for saved files stay in the folder, visible, valid and short */

#define G_LOG_DOMAIN "test-save-name"

#include "config.h"

#include <string.h>

#include "tessera-save-name-private.h"

static void
assert_safe (const char *name)
{
  g_assert_nonnull (name);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (strlen (name), <=, TESSERA_SAVE_NAME_MAX);
  g_assert_null (strchr (name, '/'));
  g_assert_null (strchr (name, '\\'));
  g_assert_false (name[0] == '.' || name[0] == ' ' || name[0] == '\0');
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

static void
test_for_url (void)
{
  static const struct
  {
    const char *url;
    const char *extension;
    const char *expected;
  } cases[] = {
    { "https://h/a/b/cat.jpg", "jpg", "cat.jpg" },
    { "https://h/a/b/cat.jpg?size=big#top", "jpg", "cat.jpg" },
    /* Decoded separators become "_"; the leading dots go. */
    { "https://h/x/..%2F..%2Fetc%2Fpasswd", "png", "_.._etc_passwd.png" },
    { "https://h/%00evil.jpg", "jpg", "_evil.jpg" },
    { "https://h/.hidden.png", "png", "hidden.png" },
    { "https://h/?q=1", "jpg", "image-7.jpg" },
    { "https://h/", "jpg", "image-7.jpg" },
    { "https://h", "gif", "image-7.gif" },
    { "not a url at all", "png", "image-7.png" },
    { "https://h/photo", "png", "photo.png" },
    { "https://h/pic.jpg", "png", "pic.png" },
    { "https://h/pic.JPG", "jpg", "pic.JPG" },
    { "https://h/x.jpeg", "jpg", "x.jpeg" },
    { "https://h/v1.2", "webp", "v1.2.webp" },
    { "https://h/...", "jpg", "image-7.jpg" },
    { "https://h/%20%20%20", "jpg", "image-7.jpg" },
    { "https://h/._.", "jpg", "image-7.jpg" },
    { "https://h/a%0Ab%5Cc.gif", "gif", "a_b_c.gif" },
    { "https://h/my%20%20%20cat.png", "png", "my cat.png" },
    { "https://h/a.bmp", NULL, "a.bmp" },
    { "https://h/plain", NULL, "plain" },
    { "https://h/caf%C3%A9.jpg", "jpg", "café.jpg" },
    /* A right-to-left override would show "…gnp.exe" as "…exe.png". */
    { "https://h/%E2%80%AEgnp.exe.png", "png", "_gnp.exe.png" },
    { "https://h/a%E2%81%A6b%E2%80%8Fc.jpg", "jpg", "a_b_c.jpg" },
    /* Videos: an mp4 keeps its name; a ".gifv" page's file is its mp4. */
    { "https://i.imgur.com/Mp4Vid1.mp4", "mp4", "Mp4Vid1.mp4" },
    { "https://h/clip.MP4", "mp4", "clip.MP4" },
    { "https://h/clip.gifv", "mp4", "clip.mp4" },
    { "https://h/clip.mp4", "png", "clip.png" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = tessera_save_name_for_url (cases[i].url, cases[i].extension, 7);

      g_test_message ("%s", cases[i].url);
      assert_safe (name);
      g_assert_cmpstr (name, ==, cases[i].expected);
    }
}

/* Bytes that are not UTF-8 are replaced, not passed on. */
static void
test_invalid_utf8 (void)
{
  g_autofree char *name = tessera_save_name_for_url ("https://h/%FF%FEx.png", "png", 1);

  assert_safe (name);
  g_assert_true (g_str_has_suffix (name, "x.png"));
}

/* 600 bytes of name: cut on a character boundary, extension kept. */
static void
test_long_names (void)
{
  g_autoptr (GString) url = g_string_new ("https://h/");
  g_autofree char *name = NULL;
  g_autofree char *numbered = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append (url, "%E6%97%A5"); /* 日: three bytes */
  g_string_append (url, ".jpg");
  name = tessera_save_name_for_url (url->str, "jpg", 1);
  assert_safe (name);
  g_assert_true (g_str_has_suffix (name, "日.jpg"));
  g_assert_cmpuint (strlen (name), >, TESSERA_SAVE_NAME_MAX - 4);

  numbered = tessera_save_name_numbered (name, 12);
  assert_safe (numbered);
  g_assert_true (g_str_has_suffix (numbered, " (12).jpg"));
}

static void
test_numbered (void)
{
  static const struct
  {
    const char *name;
    guint n;
    const char *expected;
  } cases[] = {
    { "cat.jpg", 2, "cat (2).jpg" },
    { "archive", 3, "archive (3)" },
    { "a.tar.gz", 2, "a.tar (2).gz" },
    { "my cat.png", 10, "my cat (10).png" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = tessera_save_name_numbered (cases[i].name, cases[i].n);

      g_assert_cmpstr (name, ==, cases[i].expected);
    }
}

static void
test_for_post (void)
{
  static const struct
  {
    const char *title;
    const char *id;
    const char *extension;
    const char *expected;
  } cases[] = {
    { "A cat", "abc123", "jpg", "A cat (abc123).jpg" },
    { NULL, "abc123", "gif", "abc123.gif" },
    { "   ", "id1", "png", "id1.png" },
    { "../../x", "id1", "png", "_.._x (id1).png" },
    { "Cats/Dogs: a study", "id2", "webp", "Cats_Dogs: a study (id2).webp" },
    { "A clip with sound", "Mp4Vid1", "mp4", "A clip with sound (Mp4Vid1).mp4" },
  };
  g_autoptr (GString) long_title = g_string_new (NULL);
  g_autofree char *long_name = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name
          = tessera_save_name_for_post (cases[i].title, cases[i].id, cases[i].extension);

      assert_safe (name);
      g_assert_cmpstr (name, ==, cases[i].expected);
    }

  for (guint i = 0; i < 300; i++)
    g_string_append (long_title, "é");
  long_name = tessera_save_name_for_post (long_title->str, "xyz789", "jpg");
  assert_safe (long_name);
  g_assert_true (g_str_has_suffix (long_name, " (xyz789).jpg"));
}

/* Random texts that come back without a name: only the empty and the all-punctuation ones,
 * a few in every thousand. */
#define ANY_BYTES_ROUNDS    500
#define ANY_BYTES_MIN_NAMED (ANY_BYTES_ROUNDS * 9 / 10)

static gboolean
has_ascii_alnum (const char *bytes, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (g_ascii_isalnum (bytes[i]))
      return TRUE;
  return FALSE;
}

/* Whatever the bytes, the result is safe or there is none, and there is one whenever a
 * letter or a digit was there to keep. */
static void
test_any_bytes (void)
{
  guint n_named = 0;

  for (guint round = 0; round < ANY_BYTES_ROUNDS; round++)
    {
      guint len = (guint) g_test_rand_int_range (0, 400);
      g_autofree char *bytes = g_malloc (len + 1);
      g_autofree char *name = NULL;

      for (guint i = 0; i < len; i++)
        bytes[i] = (char) g_test_rand_int_range (0, 256);
      name = tessera_save_name_sanitize (bytes, len);
      if (name == NULL)
        {
          g_assert_false (has_ascii_alnum (bytes, len));
          continue;
        }
      assert_safe (name);
      n_named++;
    }
  g_test_message ("%u of %u named", n_named, ANY_BYTES_ROUNDS);
  g_assert_cmpuint (n_named, >=, ANY_BYTES_MIN_NAMED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/save-name/for-url", test_for_url);
  g_test_add_func ("/save-name/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/save-name/long-names", test_long_names);
  g_test_add_func ("/save-name/numbered", test_numbered);
  g_test_add_func ("/save-name/for-post", test_for_post);
  g_test_add_func ("/save-name/any-bytes", test_any_bytes);

  return g_test_run ();
}
