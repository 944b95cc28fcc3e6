/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-url-list.c: find image URLs in any text a person pastes, drops or passes
 *
 * Runs in a worker thread on untrusted text of any size, so every step is a single
 * pass over the bytes and no candidate longer than TESSERA_URL_MAX_LENGTH reaches
 * the URL parser.
 */

#define G_LOG_DOMAIN "tessera-url-list"

#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <glib/gi18n.h>

#include "tessera-url-list.h"
#include "tessera-util.h"

/* What g_utf8_make_valid () puts in place of invalid bytes. */
#define REPLACEMENT_CHARACTER_UTF8 "\xEF\xBF\xBD"
#define SCHEME_SEPARATOR           "://"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURLU, curl_url_cleanup)

typedef enum
{
  URL_KIND_WEB,
  URL_KIND_FILE,
  URL_KIND_PATH,
} UrlKind;

typedef struct
{
  TesseraUrlList *list;
  gboolean line_has_text;
  gboolean line_has_url;
} Extractor;

static gboolean
is_separator (gunichar c)
{
  switch (c)
    {
    case ',':
    case '"':
    case '\'':
    case '`':
    case '<':
    case '>':
    case '|':
    case 0x2018: /* ‘ */
    case 0x2019: /* ’ */
    case 0x201C: /* “ */
    case 0x201D: /* ” */
      return TRUE;
    default:
      return g_unichar_isspace (c);
    }
}

static gboolean
is_trailing_punctuation (char c)
{
  switch (c)
    {
    case '.':
    case ',':
    case ';':
    case ':':
    case '!':
    case '?':
      return TRUE;
    default:
      return FALSE;
    }
}

/* Returns a valid, NUL-terminated UTF-8 copy of @text with NUL bytes turned into spaces. */
static char *
prepare_text (const char *text, gsize len, TesseraUrlList *list, gsize *out_len)
{
  g_autofree char *copy = NULL;
  char *valid;

  if (len > TESSERA_URL_TEXT_MAX_BYTES)
    {
      len = tessera_utf8_prefix_len (text, (gssize) len, TESSERA_URL_TEXT_MAX_BYTES);
      list->truncated = TRUE;
    }

  copy = g_malloc (len + 1);
  if (len > 0)
    memcpy (copy, text, len);
  copy[len] = '\0';

  for (char *nul = memchr (copy, '\0', len); nul != NULL;
       nul = memchr (nul, '\0', len - (gsize) (nul - copy)))
    *nul = ' ';

  if (g_utf8_validate (copy, (gssize) len, NULL))
    {
      *out_len = len;
      return g_steal_pointer (&copy);
    }

  list->not_utf8 = TRUE;
  valid = g_utf8_make_valid (copy, (gssize) len);
  *out_len = strlen (valid);
  return valid;
}

/* Finds the first "scheme://" whose scheme we load and does not continue a word ("xhttp://"):
 * the whole word before the separator is the scheme. */
static const char *
find_scheme_start (const char *token, gsize len, UrlKind *out_kind)
{
  const gsize sep_len = strlen (SCHEME_SEPARATOR);

  for (gsize i = 0; i + sep_len <= len; i++)
    {
      gsize start = i;

      if (memcmp (token + i, SCHEME_SEPARATOR, sep_len) != 0)
        continue;

      /* Words before successive separators never overlap: the walk stays linear. */
      while (start > 0 && g_ascii_isalnum (token[start - 1]))
        start--;
      if (tessera_scheme_is_web (token + start, (gssize) (i - start)))
        *out_kind = URL_KIND_WEB;
      else if (tessera_scheme_is_file (token + start, (gssize) (i - start)))
        *out_kind = URL_KIND_FILE;
      else
        continue;
      return token + start;
    }

  return NULL;
}

/* Drops . , ; : ! ? and closing brackets that nothing in @s opened. */
static gsize
strip_trailing_punctuation (const char *s, gsize len)
{
  gssize open_parens = 0;
  gssize open_brackets = 0;

  for (gsize i = 0; i < len; i++)
    {
      open_parens += (s[i] == '(') - (s[i] == ')');
      open_brackets += (s[i] == '[') - (s[i] == ']');
    }

  while (len > 0)
    {
      char last = s[len - 1];

      if (last == ')' && open_parens < 0)
        open_parens++;
      else if (last == ']' && open_brackets < 0)
        open_brackets++;
      else if (!is_trailing_punctuation (last))
        break;
      len--;
    }

  return len;
}

/* "/" alone and "//host/..." are prose or protocol-relative URLs, not files. */
static gboolean
is_usable_absolute_path (const char *path)
{
  return path[0] == '/' && path[1] != '/' && path[1] != '\0';
}

static char *
uri_from_path (const char *path)
{
  if (!is_usable_absolute_path (path))
    return NULL;

  return g_filename_to_uri (path, NULL, NULL);
}

static char *
normalise_file_uri (char *uri)
{
  g_autofree char *hostname = NULL;
  g_autofree char *filename = NULL;
  char *fragment = strchr (uri, '#');

  if (fragment != NULL)
    *fragment = '\0';

  filename = g_filename_from_uri (uri, &hostname, NULL);
  if (filename == NULL)
    return NULL;
  /* Only files on this machine can be opened. */
  if (hostname != NULL && g_ascii_strcasecmp (hostname, "localhost") != 0)
    return NULL;

  return uri_from_path (filename);
}

/* Copies a part of @handle into GLib memory, or returns NULL if it is missing. */
static char *
dup_url_part (CURLU *handle, CURLUPart part)
{
  char *value = NULL;
  char *copy;

  if (curl_url_get (handle, part, &value, 0) != CURLUE_OK)
    return NULL;

  copy = g_strdup (value);
  curl_free (value);
  return copy;
}

static char *
normalise_web_url (const char *url)
{
  g_autoptr (CURLU) handle = curl_url ();
  g_autofree char *host = NULL;
  g_autofree char *lower_host = NULL;
  const char *authority = strstr (url, SCHEME_SEPARATOR) + strlen (SCHEME_SEPARATOR);

  /* libcurl reads "http:///x" as host "x"; an empty authority has no host. */
  if (handle == NULL || *authority == '/')
    return NULL;

  if (curl_url_set (handle, CURLUPART_URL, url, 0) != CURLUE_OK
      || curl_url_set (handle, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
    return NULL;

  /* libcurl decodes a percent-encoded host ("%aa"), which may leave bytes that are not UTF-8. */
  host = dup_url_part (handle, CURLUPART_HOST);
  if (host == NULL || host[0] == '\0' || !g_utf8_validate (host, -1, NULL))
    return NULL;

  /* libcurl keeps the host's case; compare hosts case-insensitively. */
  lower_host = g_utf8_strdown (host, -1);
  if (curl_url_set (handle, CURLUPART_HOST, lower_host, 0) != CURLUE_OK)
    return NULL;

  return dup_url_part (handle, CURLUPART_URL);
}

/* Where an absolute path starts in @token after ( or [, or NULL. */
static const char *
find_path_start (const char *token, gsize len)
{
  const char *end = token + len;
  const char *p = token;

  while (p < end && (*p == '(' || *p == '['))
    p++;

  return p < end && *p == '/' ? p : NULL;
}

static char *
url_from_candidate (char *candidate, UrlKind kind)
{
  switch (kind)
    {
    case URL_KIND_WEB:
      return normalise_web_url (candidate);
    case URL_KIND_FILE:
      return normalise_file_uri (candidate);
    case URL_KIND_PATH:
      return uri_from_path (candidate);
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Returns the normalised URL in @token (a run of non-separators), or NULL. */
static char *
url_from_token (const char *token, gsize len)
{
  g_autofree char *candidate = NULL;
  g_autofree char *url = NULL;
  UrlKind kind = URL_KIND_PATH;
  const char *start = find_scheme_start (token, len, &kind);
  gsize candidate_len;

  if (start == NULL)
    start = find_path_start (token, len);
  if (start == NULL)
    return NULL;

  candidate_len = strip_trailing_punctuation (start, len - (gsize) (start - token));
  if (candidate_len == 0 || candidate_len > TESSERA_URL_MAX_LENGTH)
    return NULL;
  /* Bytes that were not UTF-8 make the URL unusable: skip it rather than guess. */
  if (g_strstr_len (start, (gssize) candidate_len, REPLACEMENT_CHARACTER_UTF8) != NULL)
    return NULL;

  candidate = g_strndup (start, candidate_len);
  url = url_from_candidate (candidate, kind);
  /* Escaping can lengthen a path; keep the promise about length for the result too. */
  if (url == NULL || strlen (url) > TESSERA_URL_MAX_LENGTH)
    return NULL;

  return g_steal_pointer (&url);
}

static void
extractor_add_token (Extractor *self, const char *token, gsize len)
{
  g_autofree char *url = url_from_token (token, len);

  if (url == NULL)
    return;

  self->line_has_url = TRUE;
  tessera_url_list_add (self->list, url);
}

static void
extractor_end_line (Extractor *self)
{
  if (self->line_has_text && !self->line_has_url)
    self->list->n_not_urls++;

  self->line_has_text = FALSE;
  self->line_has_url = FALSE;
}

static void
extractor_scan (Extractor *self, const char *text, gsize len)
{
  gsize token_start = 0;
  gboolean in_token = FALSE;
  gsize i = 0;

  while (i < len)
    {
      const char *p = text + i;
      gunichar c = g_utf8_get_char (p);
      gsize char_len = (gsize) (g_utf8_next_char (p) - p);
      gboolean is_line_break = c == '\n' || c == '\r';

      if (is_line_break || is_separator (c))
        {
          if (in_token)
            extractor_add_token (self, text + token_start, i - token_start);
          in_token = FALSE;
        }
      else if (!in_token)
        {
          token_start = i;
          in_token = TRUE;
        }

      if (is_line_break)
        {
          extractor_end_line (self);
          /* "\r\n" is one line break. */
          if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
            char_len++;
        }
      else if (!g_unichar_isspace (c))
        {
          self->line_has_text = TRUE;
        }

      i += char_len;
    }

  if (in_token)
    extractor_add_token (self, text + token_start, len - token_start);
  extractor_end_line (self);
}

static void
url_skip_free (gpointer data)
{
  TesseraUrlSkip *skip = data;

  g_free (skip->what);
  g_free (skip->reason);
  g_free (skip);
}

TesseraUrlList *
tessera_url_list_new (void)
{
  TesseraUrlList *list = g_new0 (TesseraUrlList, 1);

  list->urls = g_ptr_array_new_with_free_func (g_free);
  list->seen = tessera_url_set_new ();
  list->skipped = g_ptr_array_new_with_free_func (url_skip_free);
  return list;
}

gboolean
tessera_url_list_add (TesseraUrlList *list, const char *url)
{
  g_return_val_if_fail (list != NULL, FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if (!tessera_url_set_add (list->seen, url))
    {
      list->n_duplicates++;
      return FALSE;
    }
  g_ptr_array_add (list->urls, g_strdup (url));
  return TRUE;
}

void
tessera_url_list_add_skipped (TesseraUrlList *list, const char *what, const GError *error)
{
  TesseraUrlSkip *skip;

  g_return_if_fail (list != NULL);
  g_return_if_fail (what != NULL);
  g_return_if_fail (error != NULL);

  skip = g_new (TesseraUrlSkip, 1);
  skip->what = g_strdup (what);
  skip->reason = g_strdup (error->message);
  g_ptr_array_add (list->skipped, skip);
}

TesseraUrlList *
tessera_url_list_extract (const char *text, gssize len)
{
  g_autoptr (TesseraUrlList) list = NULL;
  g_autofree char *valid = NULL;
  gsize valid_len = 0;
  Extractor extractor;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len < 0)
    len = (gssize) strnlen (text, (gsize) TESSERA_URL_TEXT_MAX_BYTES + 1);

  list = tessera_url_list_new ();
  valid = prepare_text (text, (gsize) len, list, &valid_len);
  extractor = (Extractor){ .list = list };
  extractor_scan (&extractor, valid, valid_len);

  return g_steal_pointer (&list);
}

void
tessera_url_list_free (TesseraUrlList *list)
{
  if (list == NULL)
    return;

  g_ptr_array_unref (list->urls);
  g_hash_table_unref (list->seen);
  g_ptr_array_unref (list->skipped);
  g_free (list);
}

char *
tessera_url_list_summary (guint n_added, guint n_not_urls, guint n_duplicates, gboolean not_utf8,
                          gboolean truncated)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_null_terminated (5, g_free, TRUE);

  if (n_added > 0)
    g_ptr_array_add (
        parts, g_strdup_printf (ngettext ("Added %u image", "Added %u images", n_added), n_added));
  else
    g_ptr_array_add (parts, g_strdup (_ ("No new image URLs found")));

  if (n_not_urls > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u line was not a URL",
                                                       "%u lines were not URLs", n_not_urls),
                                             n_not_urls));
  if (n_duplicates > 0)
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u duplicate skipped",
                                                       "%u duplicates skipped", n_duplicates),
                                             n_duplicates));
  if (not_utf8)
    g_ptr_array_add (parts, g_strdup (_ ("some text was not UTF-8 and was skipped")));
  if (truncated)
    g_ptr_array_add (parts, g_strdup (_ ("the text was too long and was cut")));

  /* Translators: joins the parts of a summary such as "Added 3 images · 1 duplicate skipped" */
  return g_strjoinv (_ (" · "), (char **) parts->pdata);
}
