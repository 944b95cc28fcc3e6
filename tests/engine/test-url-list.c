/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-url-list.c: URL extraction from pasted, dropped and typed text */

#define G_LOG_DOMAIN "test-url-list"

#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <glib.h>

#include "tessera-test-util.h"
#include "tessera-url-list.h"

#define MAX_EXPECTED_URLS      8
#define MILLION_CHARACTER_LINE 1000000
#define FIVE_MEGABYTE_LINE     (5 * 1024 * 1024)
#define OVERLONG_URL_BYTES     9000
/* Generous; the real cost is a few milliseconds, a quadratic scan of these lines takes
 * minutes, so even × tessera_test_slowdown() it still fails. */
#define LONG_LINE_MAX_SECONDS  1.0

typedef struct
{
  const char *name;
  const char *text;
  gssize len;                          /* -1 for NUL-terminated text */
  const char *urls[MAX_EXPECTED_URLS]; /* NULL-terminated */
  guint n_not_urls;
  guint n_duplicates;
  gboolean not_utf8;
} ExtractCase;

static const ExtractCase extract_cases[] = {
  { .name = "newlines",
    .text = "https://a.b/1.png\nhttps://a.b/2.png\r\nhttps://a.b/3.png\rhttps://a.b/4.png\n",
    .len = -1,
    .urls
    = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png", "https://a.b/4.png" } },
  { .name = "spaces-and-tabs",
    .text = "https://a.b/1.png  https://a.b/2.png\thttps://a.b/3.png",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png" } },
  { .name = "unicode-spaces",
    .text = "https://a.b/1.png\xC2\xA0https://a.b/2.png\xE2\x80\x83https://a.b/3.png",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png" } },
  { .name = "commas",
    .text = "https://a.b/1.png,https://a.b/2.png, https://a.b/3.png",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png" } },
  { .name = "quotes",
    .text = "\"https://a.b/1.png\" 'https://a.b/2.png' `https://a.b/3.png` "
            "\xE2\x80\x9Chttps://a.b/4.png\xE2\x80\x9D \xE2\x80\x98https://a.b/5.png\xE2\x80\x99",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png", "https://a.b/4.png",
              "https://a.b/5.png" } },
  { .name = "pipes-and-angles",
    .text = "|https://a.b/1.png|<https://a.b/2.png>",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png" } },
  { .name = "prose",
    .text = "Look at this: https://a.b/cat.jpg, isn't it lovely?\n"
            "I also like http://c.d/dog.png.\n"
            "No links on this line at all.\n",
    .len = -1,
    .urls = { "https://a.b/cat.jpg", "http://c.d/dog.png" },
    .n_not_urls = 1 },
  { .name = "markdown",
    .text = "![cat](https://a.b/c.png) and [x](https://a.b/d.png)",
    .len = -1,
    .urls = { "https://a.b/c.png", "https://a.b/d.png" } },
  { .name = "html",
    .text = "<img src=\"https://a.b/c.png\" alt=\"x\"><img src=https://a.b/d.png>",
    .len = -1,
    .urls = { "https://a.b/c.png", "https://a.b/d.png" } },
  { .name = "trailing-punctuation",
    .text = "https://a.b/1.png. https://a.b/2.png; https://a.b/3.png!? "
            "https://a.b/4.png: (https://a.b/5.png) [https://a.b/6.png].",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png", "https://a.b/4.png",
              "https://a.b/5.png", "https://a.b/6.png" } },
  { .name = "query-string",
    .text = "https://a.b/img?id=7&size=large https://a.b/x.png?v=1.\n"
            "https://a.b/r?u=https://c.d/e.png&w=(2)",
    .len = -1,
    .urls = { "https://a.b/img?id=7&size=large", "https://a.b/x.png?v=1",
              "https://a.b/r?u=https://c.d/e.png&w=(2)" } },
  { .name = "balanced-parentheses",
    .text = "https://en.wikipedia.org/wiki/Foo_(bar).jpg "
            "(see https://en.wikipedia.org/wiki/Baz_(qux).jpg)",
    .len = -1,
    .urls = { "https://en.wikipedia.org/wiki/Foo_(bar).jpg",
              "https://en.wikipedia.org/wiki/Baz_(qux).jpg" } },
  { .name = "ipv6-host",
    .text = "http://[::1]:8080/a.png http://[::1]",
    .len = -1,
    .urls = { "http://[::1]:8080/a.png", "http://[::1]/" } },
  { .name = "normalised",
    .text = "HTTPS://EXAMPLE.COM/Photo.PNG HtTp://Example.Org",
    .len = -1,
    .urls = { "https://example.com/Photo.PNG", "http://example.org/" } },
  { .name = "fragment-removed",
    .text = "https://a.b/c.png#section",
    .len = -1,
    .urls = { "https://a.b/c.png" } },
  { .name = "duplicates",
    .text = "https://a.b/c.png\nHTTPS://A.B/c.png\nhttps://a.b/c.png#top\nhttps://a.b/d.png\n"
            "https://a.b/c.png",
    .len = -1,
    .urls = { "https://a.b/c.png", "https://a.b/d.png" },
    .n_duplicates = 3 },
  { .name = "other-schemes",
    .text = "ftp://a.b/c.png\njavascript:alert(1)\ndata:image/png;base64,iVBORw0KGgo=\n"
            "mailto:a@b.c\nsftp://a.b/c.png",
    .len = -1,
    .n_not_urls = 5 },
  { .name = "scheme-inside-word", .text = "xhttp://a.b/c.png", .len = -1, .n_not_urls = 1 },
  { .name = "no-host",
    .text = "http://\nhttps://\nhttp:///c.png\nhttp://:80/",
    .len = -1,
    .n_not_urls = 4 },
  { .name = "percent-encoded-host",
    .text = "http://%41%42/x.png\nhttp://%aa/x.png",
    .len = -1,
    .urls = { "http://ab/x.png" },
    .n_not_urls = 1 },
  { .name = "file-urls",
    .text = "file:///tmp/a.png file://localhost/tmp/b%20c.png FILE:///tmp/d.png#x",
    .len = -1,
    .urls = { "file:///tmp/a.png", "file:///tmp/b%20c.png", "file:///tmp/d.png" } },
  { .name = "file-urls-rejected",
    .text = "file://server/tmp/a.png\nfile://\nfile:///\nfile:///tmp/%zz.png",
    .len = -1,
    .n_not_urls = 4 },
  { .name = "absolute-paths",
    .text = "/home/me/Pictures/a.png\n(/tmp/c.jpg)\n/tmp/\xC3\xA9.png,/tmp/c.jpg",
    .len = -1,
    .urls = { "file:///home/me/Pictures/a.png", "file:///tmp/c.jpg", "file:///tmp/%C3%A9.png" },
    .n_duplicates = 1 },
  { .name = "not-paths",
    .text = "yes / no\nand/or\n//cdn.example.com/a.png\n~/a.png",
    .len = -1,
    .n_not_urls = 4 },
  { .name = "invalid-utf8-separate",
    .text = "https://a.b/1.png \xFF\xFE junk\n\xC0\xAF\nhttps://a.b/2.png",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png" },
    .n_not_urls = 1,
    .not_utf8 = TRUE },
  { .name = "invalid-utf8-inside-url",
    .text = "https://a.b/\xFF.png\nhttps://a.b/ok.png",
    .len = -1,
    .urls = { "https://a.b/ok.png" },
    .n_not_urls = 1,
    .not_utf8 = TRUE },
  { .name = "embedded-nul",
    .text = "https://a.b/1.png\0https://a.b/2.png\0\0",
    .len = 37,
    .urls = { "https://a.b/1.png", "https://a.b/2.png" } },
  { .name = "empty", .text = "", .len = -1 },
  { .name = "empty-with-length", .text = "", .len = 0 },
  { .name = "null-text", .text = NULL, .len = 0 },
  { .name = "only-whitespace", .text = " \n\t\r\n\xC2\xA0\n", .len = -1 },
  { .name = "only-separators", .text = ",,,\"\"''``||<>", .len = -1, .n_not_urls = 1 },
  { .name = "blank-lines-not-counted",
    .text = "\n\nhttps://a.b/c.png\n\n  \njunk\n",
    .len = -1,
    .urls = { "https://a.b/c.png" },
    .n_not_urls = 1 },
  { .name = "duplicate-line-is-not-junk",
    .text = "https://a.b/c.png\nsee https://a.b/c.png",
    .len = -1,
    .urls = { "https://a.b/c.png" },
    .n_duplicates = 1 },
};

static void
assert_urls (const TesseraUrlList *list, const char *const *expected)
{
  guint n_expected = g_strv_length ((char **) expected);

  for (guint i = 0; i < list->urls->len && i < n_expected; i++)
    g_assert_cmpstr (g_ptr_array_index (list->urls, i), ==, expected[i]);
  g_assert_cmpuint (list->urls->len, ==, n_expected);
}

static void
test_extract_case (gconstpointer data)
{
  const ExtractCase *test = data;
  g_autoptr (TesseraUrlList) list = tessera_url_list_extract (test->text, test->len);

  g_assert_nonnull (list);
  assert_urls (list, test->urls);
  g_assert_cmpuint (list->n_not_urls, ==, test->n_not_urls);
  g_assert_cmpuint (list->n_duplicates, ==, test->n_duplicates);
  g_assert_cmpint (list->not_utf8, ==, test->not_utf8);
  g_assert_false (list->truncated);
}

/* Extracts from @text and fails if that took longer than LONG_LINE_MAX_SECONDS (scaled). */
static TesseraUrlList *
extract_timed (const char *text, gssize len)
{
  g_autoptr (GTimer) timer = g_timer_new ();
  TesseraUrlList *list = tessera_url_list_extract (text, len);

  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <,
                     LONG_LINE_MAX_SECONDS * tessera_test_slowdown ());
  return list;
}

static char *
repeat_char (char c, gsize n)
{
  char *text = g_malloc (n + 1);

  memset (text, c, n);
  text[n] = '\0';
  return text;
}

static void
test_million_character_line (void)
{
  g_autofree char *text = repeat_char ('x', MILLION_CHARACTER_LINE);
  g_autoptr (TesseraUrlList) list = extract_timed (text, -1);

  g_assert_cmpuint (list->urls->len, ==, 0);
  g_assert_cmpuint (list->n_not_urls, ==, 1);
}

static void
test_five_megabyte_line (void)
{
  g_autofree char *text = repeat_char ('a', FIVE_MEGABYTE_LINE);
  g_autoptr (TesseraUrlList) list = extract_timed (text, FIVE_MEGABYTE_LINE);

  g_assert_cmpuint (list->urls->len, ==, 0);
  g_assert_cmpuint (list->n_not_urls, ==, 1);
}

/* Separators only, and many short schemes in one token: both stay linear. */
static void
test_pathological_text (void)
{
  g_autofree char *commas = repeat_char (',', FIVE_MEGABYTE_LINE);
  g_autoptr (GString) schemes = g_string_new ("x");
  g_autoptr (TesseraUrlList) comma_list = extract_timed (commas, -1);
  g_autoptr (TesseraUrlList) scheme_list = NULL;

  g_assert_cmpuint (comma_list->urls->len, ==, 0);
  g_assert_cmpuint (comma_list->n_not_urls, ==, 1);

  while (schemes->len < MILLION_CHARACTER_LINE)
    g_string_append (schemes, "ftp://http:/");
  scheme_list = extract_timed (schemes->str, (gssize) schemes->len);
  g_assert_cmpuint (scheme_list->urls->len, ==, 0);
  g_assert_cmpuint (scheme_list->n_not_urls, ==, 1);
}

static void
test_long_url (void)
{
  g_autoptr (GString) text = g_string_new ("https://a.b/");
  g_autoptr (TesseraUrlList) list = NULL;
  g_autoptr (TesseraUrlList) fits = NULL;
  g_autofree char *longest = NULL;

  while (text->len < OVERLONG_URL_BYTES)
    g_string_append_c (text, 'p');
  list = tessera_url_list_extract (text->str, -1);
  g_assert_cmpuint (list->urls->len, ==, 0);
  g_assert_cmpuint (list->n_not_urls, ==, 1);

  /* Exactly TESSERA_URL_MAX_LENGTH bytes is still a URL. */
  longest = g_strndup (text->str, TESSERA_URL_MAX_LENGTH);
  fits = tessera_url_list_extract (longest, -1);
  g_assert_cmpuint (fits->urls->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fits->urls, 0), ==, longest);
}

/* A URL at the start, then "é" straddling the limit: the cut falls before the "é". */
static void
test_truncated (void)
{
  const char *head = "https://a.b/first.png\n";
  gsize len = TESSERA_URL_TEXT_MAX_BYTES + 16;
  g_autofree char *text = repeat_char (' ', len);
  g_autoptr (TesseraUrlList) list = NULL;

  memcpy (text, head, strlen (head));
  memcpy (text + TESSERA_URL_TEXT_MAX_BYTES - 1, "\xC3\xA9", 2);
  memcpy (text + len - strlen (head), head, strlen (head));
  list = tessera_url_list_extract (text, (gssize) len);

  g_assert_true (list->truncated);
  g_assert_false (list->not_utf8);
  g_assert_cmpuint (list->urls->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (list->urls, 0), ==, "https://a.b/first.png");
  g_assert_cmpuint (list->n_duplicates, ==, 0);
}

typedef struct
{
  guint n_added;
  guint n_not_urls;
  guint n_duplicates;
  gboolean not_utf8;
  gboolean truncated;
  const char *expected;
} SummaryCase;

static const SummaryCase summary_cases[] = {
  { 87, 3, 1, FALSE, FALSE, "Added 87 images · 3 lines were not URLs · 1 duplicate skipped" },
  { 1, 0, 0, FALSE, FALSE, "Added 1 image" },
  { 0, 2, 0, FALSE, FALSE, "No new image URLs found · 2 lines were not URLs" },
  { 0, 0, 0, FALSE, FALSE, "No new image URLs found" },
  { 2, 1, 5, FALSE, FALSE, "Added 2 images · 1 line was not a URL · 5 duplicates skipped" },
  { 4, 0, 2, TRUE, FALSE,
    "Added 4 images · 2 duplicates skipped · some text was not UTF-8 and was skipped" },
  { 0, 0, 0, TRUE, TRUE,
    "No new image URLs found · some text was not UTF-8 and was skipped · the text was too long and "
    "was cut" },
};

static void
test_summary (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (summary_cases); i++)
    {
      const SummaryCase *test = &summary_cases[i];
      g_autofree char *summary = tessera_url_list_summary (
          test->n_added, test->n_not_urls, test->n_duplicates, test->not_utf8, test->truncated);

      g_assert_cmpstr (summary, ==, test->expected);
    }
}

int
main (int argc, char *argv[])
{
  int status;

  if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    g_error ("curl_global_init failed");

  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (extract_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/url-list/extract/", extract_cases[i].name, NULL);

      g_test_add_data_func (path, &extract_cases[i], test_extract_case);
    }
  g_test_add_func ("/url-list/million-character-line", test_million_character_line);
  g_test_add_func ("/url-list/five-megabyte-line", test_five_megabyte_line);
  g_test_add_func ("/url-list/pathological", test_pathological_text);
  g_test_add_func ("/url-list/long-url", test_long_url);
  g_test_add_func ("/url-list/truncated", test_truncated);
  g_test_add_func ("/url-list/summary", test_summary);

  status = g_test_run ();
  curl_global_cleanup ();
  return status;
}
