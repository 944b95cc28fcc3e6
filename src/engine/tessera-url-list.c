/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-url-list.c: find image URLs in any text a person pastes, drops or passes
 *
 * Runs in a worker thread on untrusted text of any size, so every step is a single
 * pass over the bytes and no candidate longer than TESSERA_URL_MAX_LENGTH reaches
 * the URL parser.
 *
 * Text with HTML tags in it is read as HTML (tessera-html-links.c: an <img>'s picture, an
 * <a>'s href to an image), and the text between its tags as below.
 *
 * Other text is read line by line. A line that is exactly one URL with spaces, ending
 * in an image extension, is that URL, and so is a Markdown link destination in angle
 * brackets ("[cat](<https://a.b/my cat.png>)"). Otherwise the line is split into words at
 * whitespace, < and >, and CJK or fullwidth punctuation (URLs never hold those
 * unencoded, and CJK text has no spaces around a link); in a word, a URL runs to the
 * word's end, or to the closing bracket or quote matching the one right before it, or
 * to a comma that starts another URL. Then trailing sentence punctuation and brackets
 * or quotes that nothing in the URL opened are dropped. Commas, apostrophes and
 * balanced brackets stay: image CDNs and maps put them in paths.
 */

#define G_LOG_DOMAIN "tessera-url-list"

#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <glib/gi18n.h>
#include <libpsl.h>

#include "tessera-html-links.h"
#include "tessera-url-list.h"
#include "tessera-util.h"

/* What g_utf8_make_valid () puts in place of invalid bytes. */
#define REPLACEMENT_CHARACTER_UTF8 "\xEF\xBF\xBD"
#define SCHEME_SEPARATOR           "://"
/* A link given without a scheme is fetched over https, as browsers do. */
#define BARE_LINK_PREFIX           "https://"
#define NETWORK_PATH_PREFIX        "https:"
/* DNS limits: a label is at most 63 bytes; a port at most 5 digits. */
#define HOST_LABEL_MAX             63
#define PORT_MAX_DIGITS            5
/* The longest image extension below, "jpeg" or "webp". */
#define IMAGE_EXTENSION_MAX        4

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURLU, curl_url_cleanup)

typedef enum
{
  URL_KIND_WEB,          /* http:// or https:// */
  URL_KIND_FILE,         /* file:// */
  URL_KIND_PATH,         /* /an/absolute/path */
  URL_KIND_BARE,         /* host.example/path, as an address bar copies it */
  URL_KIND_NETWORK_PATH, /* //host/path, in HTML */
} UrlKind;

typedef struct
{
  TesseraUrlList *list;
  gboolean line_has_text;
  gboolean line_has_url;
} Extractor;

/* The extensions of the formats the decoder reads: what an "image" link ends with. */
static const char *const image_extensions[] = { "jpg", "jpeg", "jpe", "png", "gif", "webp" };

/* CJK and fullwidth punctuation ("，", "。", "｜", "「"): never in a URL unencoded. */
static gboolean
is_wide_punctuation (gunichar c)
{
  return ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF65)) && g_unichar_ispunct (c);
}

static gboolean
is_separator (gunichar c)
{
  return c == '<' || c == '>' || g_unichar_isspace (c) || is_wide_punctuation (c);
}

static gboolean
is_trailing_punctuation (gunichar c)
{
  switch (c)
    {
    case '.':
    case ',':
    case ';':
    case ':':
    case '!':
    case '?':
    case 0x2026: /* … */
      return TRUE;
    default:
      return FALSE;
    }
}

/* The character that closes what @opener opens, or 0 when it opens nothing. */
static gunichar
closer_of (gunichar opener)
{
  switch (opener)
    {
    case '(':
      return ')';
    case '[':
      return ']';
    case '{':
      return '}';
    case '"':
    case '\'':
    case '`':
    case '|':
      return opener;
    case 0x2018: /* ‘ */
      return 0x2019;
    case 0x201C: /* “ */
      return 0x201D;
    case 0x00AB: /* « */
      return 0x00BB;
    default:
      return 0;
    }
}

static gboolean
is_bracket (gunichar c)
{
  return c == '(' || c == '[' || c == '{';
}

/* Whether the @len bytes at @s end in "." and an image extension, in any case. */
static gboolean
has_image_extension (const char *s, gsize len)
{
  for (gsize ext_len = 1; ext_len <= IMAGE_EXTENSION_MAX && ext_len < len; ext_len++)
    {
      const char *ext = s + len - ext_len;

      if (ext[-1] != '.')
        continue;
      for (gsize i = 0; i < G_N_ELEMENTS (image_extensions); i++)
        if (strlen (image_extensions[i]) == ext_len
            && g_ascii_strncasecmp (ext, image_extensions[i], ext_len) == 0)
          return TRUE;
    }
  return FALSE;
}

/* Whether the path of @url (a normalised URL) names an image file. */
static gboolean
url_names_image (const char *url)
{
  return has_image_extension (url, strcspn (url, "?#"));
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

static gboolean
has_prefix_ascii_case (const char *p, const char *end, const char *prefix)
{
  gsize len = strlen (prefix);

  return (gsize) (end - p) >= len && g_ascii_strncasecmp (p, prefix, len) == 0;
}

/* After a comma, another URL starting shows the comma separates a list. */
static gboolean
starts_another_url (const char *p, const char *end)
{
  return (p < end && *p == '/') || has_prefix_ascii_case (p, end, "http://")
         || has_prefix_ascii_case (p, end, "https://") || has_prefix_ascii_case (p, end, "file://");
}

/* A quote closes where a word or a sentence could go on: "it's" does not close at the "'". */
static gboolean
closes_quote (const char *next, const char *end)
{
  return next >= end || !g_unichar_isalnum (g_utf8_get_char (next));
}

/* Where the URL at @start ends in the word that ends at @end: at the closer that matches
 * @opener (the character before the URL; 0: none), before a comma that starts another URL,
 * or at the end of the word. */
static const char *
find_url_end (const char *start, const char *end, gunichar opener)
{
  gunichar closer = closer_of (opener);
  guint depth = 0;

  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ',' && starts_another_url (p + 1, end))
        return p;
      if (closer == 0)
        continue;
      if (is_bracket (opener) && c == opener)
        depth++;
      else if (is_bracket (opener) && c == closer && depth-- == 0)
        return p;
      else if (!is_bracket (opener) && c == closer && closes_quote (g_utf8_next_char (p), end))
        return p;
    }
  return end;
}

/* The quotes that open and close alike: one left over at the end of a URL closes nothing. */
static const char same_quotes[] = "\"'`|";

/* What a URL leaves open: brackets (negative when it closes more than it opens), and how
 * many of each of same_quotes it holds. */
typedef struct
{
  gssize parens;
  gssize brackets;
  gssize braces;
  gsize quotes[sizeof same_quotes - 1];
} Balance;

static gssize *
open_count_of (Balance *balance, gunichar closer)
{
  switch (closer)
    {
    case ')':
      return &balance->parens;
    case ']':
      return &balance->brackets;
    case '}':
      return &balance->braces;
    default:
      return NULL;
    }
}

static Balance
balance_of (const char *s, gsize len)
{
  Balance balance = { 0 };

  for (gsize i = 0; i < len; i++)
    {
      const char *quote = s[i] != '\0' ? strchr (same_quotes, s[i]) : NULL;

      balance.parens += (s[i] == '(') - (s[i] == ')');
      balance.brackets += (s[i] == '[') - (s[i] == ']');
      balance.braces += (s[i] == '{') - (s[i] == '}');
      if (quote != NULL)
        balance.quotes[quote - same_quotes]++;
    }
  return balance;
}

/* Whether @c, last in a URL, closes nothing in it: then it is punctuation after the URL. */
static gboolean
is_unmatched_closer (gunichar c, Balance *balance)
{
  gssize *count = open_count_of (balance, c);
  const char *quote = c > 0 && c < 0x80 ? strchr (same_quotes, (int) c) : NULL;

  if (count != NULL && *count < 0)
    {
      (*count)++;
      return TRUE;
    }
  if (quote != NULL && balance->quotes[quote - same_quotes] % 2 == 1)
    {
      balance->quotes[quote - same_quotes]--;
      return TRUE;
    }
  /* A closing curly quote or guillemet at the end closes a quotation, not a path. */
  return c == 0x2019 || c == 0x201D || c == 0x00BB;
}

/* Drops sentence punctuation, and closing brackets and quotes that nothing in @s opened. */
static gsize
strip_trailing_punctuation (const char *s, gsize len)
{
  Balance balance = balance_of (s, len);

  while (len > 0)
    {
      const char *last = g_utf8_find_prev_char (s, s + len);
      gunichar c = g_utf8_get_char (last);

      if (!is_trailing_punctuation (c) && !is_unmatched_closer (c, &balance))
        break;
      len = (gsize) (last - s);
    }

  return len;
}

/* A schemeless host is a domain when it starts with "www." or ends in a public suffix
 * (from the list libpsl carries; a name only its "*" rule would take, like "js" in
 * "node.js", is not one) without being one itself ("co.uk"). */
static gboolean
is_plausible_domain (const char *host)
{
  const psl_ctx_t *psl = psl_builtin ();
  const char *top = strrchr (host, '.');

  if (g_str_has_prefix (host, "www."))
    return TRUE;
  return psl != NULL && top != NULL
         && psl_is_public_suffix2 (psl, top + 1, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE)
         && !psl_is_public_suffix2 (psl, host, PSL_TYPE_ICANN);
}

/* Whether the word at @p is a schemeless link: a host of at least two dot-separated labels
 * (ASCII letters, digits and inner hyphens), perhaps ":port", then "/" and a path. A host
 * alone is not taken: it names a site, not a picture, and is where prose ("node.js",
 * "file.pl") looks most like one. */
static gboolean
starts_bare_link (const char *p, const char *end)
{
  g_autofree char *host = NULL;
  const char *q = p;
  guint n_labels = 0;
  gsize n_digits = 0;

  for (;;)
    {
      const char *label = q;

      while (q < end && (g_ascii_isalnum (*q) || *q == '-'))
        q++;
      if (q == label || q - label > HOST_LABEL_MAX || *label == '-' || q[-1] == '-')
        return FALSE;
      n_labels++;
      if (q >= end || *q != '.')
        break;
      q++;
    }
  host = g_ascii_strdown (p, q - p);

  if (q < end && *q == ':')
    {
      while (q + 1 < end && g_ascii_isdigit (q[1]))
        q++, n_digits++;
      if (n_digits == 0 || n_digits > PORT_MAX_DIGITS)
        return FALSE;
      q++;
    }
  return n_labels >= 2 && q + 1 < end && *q == '/' && is_plausible_domain (host);
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

/* A copy of the @len bytes at @s with each space as "%20", as a browser sends it. */
static char *
encode_spaces (const char *s, gsize len)
{
  GString *out = g_string_new_len (s, (gssize) len);

  g_string_replace (out, " ", "%20", 0);
  return g_string_free (out, FALSE);
}

static char *
url_from_candidate (const char *start, gsize len, UrlKind kind)
{
  g_autofree char *candidate = NULL;
  g_autofree char *prefixed = NULL;
  g_autofree char *url = NULL;
  const char *slash;

  if (len == 0 || len > TESSERA_URL_MAX_LENGTH)
    return NULL;
  /* Bytes that were not UTF-8 make the URL unusable: skip it rather than guess. */
  if (g_strstr_len (start, (gssize) len, REPLACEMENT_CHARACTER_UTF8) != NULL)
    return NULL;

  /* The path's own escaping encodes spaces in a file name. */
  candidate = kind == URL_KIND_PATH ? g_strndup (start, len) : encode_spaces (start, len);
  switch (kind)
    {
    case URL_KIND_WEB:
      url = normalise_web_url (candidate);
      break;
    case URL_KIND_FILE:
      url = normalise_file_uri (candidate);
      break;
    case URL_KIND_PATH:
      url = uri_from_path (candidate);
      break;
    case URL_KIND_BARE:
      /* What punctuation was dropped may have left the host alone ("example.com/."). */
      slash = strchr (candidate, '/');
      if (slash == NULL || slash[1] == '\0')
        return NULL;
      prefixed = g_strconcat (BARE_LINK_PREFIX, candidate, NULL);
      url = normalise_web_url (prefixed);
      break;
    case URL_KIND_NETWORK_PATH:
      prefixed = g_strconcat (NETWORK_PATH_PREFIX, candidate, NULL);
      url = normalise_web_url (prefixed);
      break;
    default:
      g_return_val_if_reached (NULL);
    }
  /* Escaping can lengthen a path; keep the promise about length for the result too. */
  if (url == NULL || strlen (url) > TESSERA_URL_MAX_LENGTH)
    return NULL;

  return g_steal_pointer (&url);
}

/* @value as one URL given in one piece: surrounding whitespace dropped, spaces inside
 * encoded. In an HTML attribute (@in_html) only web URLs count, "//host/…" among them;
 * elsewhere a file URL or a schemeless link does too. */
static char *
url_from_whole (const char *value, gsize len, gboolean in_html)
{
  const char *end = value + len;
  UrlKind kind = URL_KIND_WEB;

  while (value < end && g_ascii_isspace (*value))
    value++;
  while (end > value && g_ascii_isspace (end[-1]))
    end--;
  len = (gsize) (end - value);

  if (find_scheme_start (value, len, &kind) == value && (kind == URL_KIND_WEB || !in_html))
    return url_from_candidate (value, len, kind);
  if (in_html && len > 2 && value[0] == '/' && value[1] == '/')
    return url_from_candidate (value, len, URL_KIND_NETWORK_PATH);
  if (!in_html && starts_bare_link (value, end))
    return url_from_candidate (value, len, URL_KIND_BARE);
  return NULL;
}

static void
extractor_add (Extractor *self, char *url)
{
  g_autofree char *owned = url;

  if (owned == NULL)
    return;

  self->line_has_url = TRUE;
  tessera_url_list_add (self->list, owned);
}

static void
extractor_end_line (Extractor *self)
{
  if (self->line_has_text && !self->line_has_url)
    self->list->n_not_urls++;

  self->line_has_text = FALSE;
  self->line_has_url = FALSE;
}

static const char *
skip_openers (const char *p, const char *end)
{
  while (p < end && closer_of (g_utf8_get_char (p)) != 0)
    p = g_utf8_next_char (p);
  return p;
}

/* Finds the next URL in the word from @pos to @end: an absolute path or a schemeless link
 * where the word starts (after opening brackets and quotes), else the first scheme we load. */
static const char *
find_candidate (const char *pos, const char *end, UrlKind *out_kind)
{
  /* A comma that ended the URL before this one separates it from this one. */
  const char *p = skip_openers (pos + (*pos == ','), end);

  if (p + 1 < end && p[0] == '/' && p[1] != '/')
    {
      *out_kind = URL_KIND_PATH;
      return p;
    }
  if (starts_bare_link (p, end))
    {
      *out_kind = URL_KIND_BARE;
      return p;
    }
  return find_scheme_start (pos, (gsize) (end - pos), out_kind);
}

/* Adds every URL in the word from @word to @end (a run of non-separators). */
static void
extractor_scan_word (Extractor *self, const char *word, const char *end)
{
  const char *pos = word;
  const char *start;
  UrlKind kind = URL_KIND_WEB;

  while (pos < end && (start = find_candidate (pos, end, &kind)) != NULL)
    {
      gunichar opener = start > word ? g_utf8_get_char (g_utf8_find_prev_char (word, start)) : 0;
      const char *url_end = find_url_end (start, end, opener);
      gsize len = strip_trailing_punctuation (start, (gsize) (url_end - start));

      extractor_add (self, url_from_candidate (start, len, kind));
      pos = url_end > pos ? url_end : end;
    }
}

/* A line that is one URL with spaces in it, as a file manager or a chat shows one: it
 * starts with a scheme we load and holds no other, ends in an image extension, and its
 * first word is not a whole image URL already ("https://a.b/cat.png is my cat.png"). */
static gboolean
is_one_spaced_url (const char *line, gsize len, UrlKind *kind)
{
  const char *space = memchr (line, ' ', len);
  const char *end = line + len;

  if (space == NULL || find_scheme_start (line, len, kind) != line
      || g_strstr_len (space, end - space, SCHEME_SEPARATOR) != NULL
      || has_image_extension (line, (gsize) (space - line)) || !has_image_extension (line, len))
    return FALSE;

  for (const char *p = line; p < end; p = g_utf8_next_char (p))
    if (*p != ' ' && is_separator (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* Whether the "<" at @p opens a Markdown link destination, which may hold spaces
 * (CommonMark): right after "](" in an inline link, or after "]:" and spaces in a link
 * reference definition. */
static gboolean
opens_link_destination (const char *line, const char *p)
{
  const char *q = p;

  if (p - line >= 2 && p[-2] == ']' && p[-1] == '(')
    return TRUE;
  while (q > line && q[-1] == ' ')
    q--;
  return q - line >= 2 && q[-2] == ']' && q[-1] == ':';
}

/* The URL in the Markdown link destination "<…>" at @p, spaces in it encoded, and in
 * @close the ">" that ends it; NULL when @p opens none or what it holds is not a URL. A
 * destination ends on its line and holds no other "<" or ">". */
static char *
link_destination_url (const char *line, const char *p, const char *end, const char **close)
{
  const char *q = p + 1;

  if (!opens_link_destination (line, p))
    return NULL;
  while (q < end && *q != '<' && *q != '>')
    q++;
  if (q >= end || *q != '>')
    return NULL;
  *close = q;
  return url_from_whole (p + 1, (gsize) (q - p - 1), FALSE);
}

/* Adds the URLs on the line from @line to @end (no line break in it). */
static void
extractor_scan_line (Extractor *self, const char *line, const char *end)
{
  const char *word = NULL;
  UrlKind kind = URL_KIND_WEB;

  while (line < end && g_unichar_isspace (g_utf8_get_char (line)))
    line = g_utf8_next_char (line);
  while (end > line && g_unichar_isspace (g_utf8_get_char (g_utf8_find_prev_char (line, end))))
    end = g_utf8_find_prev_char (line, end);
  if (line == end)
    return;
  self->line_has_text = TRUE;

  if (is_one_spaced_url (line, (gsize) (end - line), &kind))
    {
      extractor_add (self, url_from_candidate (line, (gsize) (end - line), kind));
      return;
    }

  for (const char *p = line; p < end; p = g_utf8_next_char (p))
    {
      const char *close = NULL;
      char *destination = *p == '<' ? link_destination_url (line, p, end, &close) : NULL;
      gboolean separates = is_separator (g_utf8_get_char (p));

      if (destination != NULL)
        {
          if (word != NULL)
            extractor_scan_word (self, word, p);
          word = NULL;
          extractor_add (self, destination);
          p = close;
          continue;
        }
      if (separates && word != NULL)
        extractor_scan_word (self, word, p);
      if (separates)
        word = NULL;
      else if (word == NULL)
        word = p;
    }
  if (word != NULL)
    extractor_scan_word (self, word, end);
}

/* Adds the URLs in plain text; the last line stays open (HTML may go on with it). */
static void
extractor_scan_text (Extractor *self, const char *text, gsize len)
{
  const char *end = text + len;
  const char *line = text;

  while (line < end)
    {
      const char *brk = line + strcspn (line, "\r\n");

      if (brk >= end)
        break;
      extractor_scan_line (self, line, brk);
      extractor_end_line (self);
      /* "\r\n" is one line break. */
      line = brk + (brk[0] == '\r' && brk + 1 < end && brk[1] == '\n' ? 2 : 1);
    }
  extractor_scan_line (self, line, end);
}

/* What reading HTML finds: attribute values are URLs as HTML has them, and the text between
 * tags is read as any other text. */
static char *
html_url (const char *value, gsize len, gboolean image_only, gpointer user_data)
{
  g_autofree char *url = url_from_whole (value, len, TRUE);

  if (url == NULL || (image_only && !url_names_image (url)))
    return NULL;
  return g_steal_pointer (&url);
}

static void
html_found (char *url, gpointer user_data)
{
  extractor_add (user_data, url);
}

static void
html_text (const char *text, gsize len, gpointer user_data)
{
  extractor_scan_text (user_data, text, len);
}

static void
html_line_break (gpointer user_data)
{
  extractor_end_line (user_data);
}

static const TesseraHtmlLinksFuncs html_funcs
    = { html_url, html_found, html_text, html_line_break };

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
  if (tessera_html_links_detect (valid, valid_len))
    tessera_html_links_read (valid, valid_len, &html_funcs, &extractor);
  else
    extractor_scan_text (&extractor, valid, valid_len);
  extractor_end_line (&extractor);

  return g_steal_pointer (&list);
}

char *
tessera_url_from_argument (const char *arg)
{
  g_return_val_if_fail (arg != NULL, NULL);

  if (!g_utf8_validate (arg, -1, NULL))
    return NULL;
  return url_from_whole (arg, strlen (arg), FALSE);
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
  else if (n_duplicates > 0)
    g_ptr_array_add (parts, g_strdup (_ ("No new image URLs found")));
  else
    g_ptr_array_add (parts, g_strdup (_ ("No image URLs found")));

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
