/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-html-links.c: the pictures HTML shows or links to, and the text between its tags
 *
 * Runs in a worker thread on untrusted text of any size, so every step is a single pass
 * over the bytes. Character references are decoded, in attribute values and in the text
 * between tags. An <img> gives its largest srcset candidate (else its src), an <a> its
 * href when that names an image (and the <img> inside it, its thumbnail, is then skipped).
 * Tag names, closing tags, comments, declarations and the contents of <script> and
 * <style> never give a URL; the text between tags goes to the caller, to be read as text.
 */

#define G_LOG_DOMAIN "tessera-html-links"

#include "config.h"

#include <string.h>

#include "tessera-html-links.h"

/* "&#x10FFFF;" is the longest reference that means a character; names are shorter. */
#define REFERENCE_MAX_BYTES 10
#define COMMENT_OPEN        "<!--"
#define COMMENT_OPEN_LEN    (sizeof COMMENT_OPEN - 1)

/* One reading of a text: where what it finds goes, and whether it is inside <a href="an
 * image">, whose <img> is the same picture. */
typedef struct
{
  const TesseraHtmlLinksFuncs *funcs;
  gpointer user_data;
  gboolean in_image_link;
} Reader;

/* The character @name (between "&" and ";") stands for, or 0 when it is none we know:
 * numeric references, and the names a URL or its surroundings use. */
static gunichar
reference_value (const char *name, gsize len)
{
  static const struct
  {
    const char *name;
    gunichar value;
  } named[] = {
    { "amp", '&' },  { "lt", '<' },    { "gt", '>' },
    { "quot", '"' }, { "apos", '\'' }, { "nbsp", 0xA0 },
  };
  gboolean hex = len > 1 && name[0] == '#' && (name[1] == 'x' || name[1] == 'X');
  gsize digits_at = hex ? 2 : 1;
  guint64 value = 0;

  if (len == 0 || name[0] != '#')
    {
      for (gsize i = 0; i < G_N_ELEMENTS (named); i++)
        if (strlen (named[i].name) == len && memcmp (name, named[i].name, len) == 0)
          return named[i].value;
      return 0;
    }
  if (len <= digits_at)
    return 0;
  for (gsize i = digits_at; i < len; i++)
    {
      int digit = hex ? g_ascii_xdigit_value (name[i]) : g_ascii_digit_value (name[i]);

      if (digit < 0)
        return 0;
      value = value * (hex ? 16 : 10) + (guint64) digit;
    }
  return g_unichar_validate ((gunichar) value) ? (gunichar) value : 0;
}

/* A copy of the @len bytes at @s with character references ("&amp;", "&#38;", "&#x26;")
 * replaced by what they stand for; anything else after "&" stays as it is. */
static char *
decode_references (const char *s, gsize len)
{
  GString *out = g_string_sized_new (len);
  const char *end = s + len;

  while (s < end)
    {
      const char *amp = memchr (s, '&', (gsize) (end - s));
      gsize room = amp != NULL ? MIN ((gsize) (end - amp - 1), REFERENCE_MAX_BYTES) : 0;
      const char *semicolon = amp != NULL ? memchr (amp + 1, ';', room) : NULL;
      gunichar value = semicolon != NULL ? reference_value (amp + 1, semicolon - amp - 1) : 0;

      if (amp == NULL)
        {
          g_string_append_len (out, s, end - s);
          break;
        }
      g_string_append_len (out, s, amp - s);
      if (value == 0)
        {
          g_string_append_c (out, '&');
          s = amp + 1;
          continue;
        }
      g_string_append_unichar (out, value);
      s = semicolon + 1;
    }
  return g_string_free (out, FALSE);
}

/* The attributes a picture's URL comes from, in the order an <img> prefers them: the
 * largest of a srcset is the best picture; lazy-loading pages keep the real one in data-. */
typedef enum
{
  ATTR_SRCSET,
  ATTR_DATA_SRCSET,
  ATTR_SRC,
  ATTR_DATA_SRC,
  ATTR_HREF,
  N_ATTRS,
} Attr;

static const char *const attr_names[N_ATTRS]
    = { "srcset", "data-srcset", "src", "data-src", "href" };

/* A start tag: its name, and the raw values of the attributes above (NULL: absent). */
typedef struct
{
  const char *name;
  gsize name_len;
  const char *value[N_ATTRS];
  gsize value_len[N_ATTRS];
} Tag;

static gboolean
name_is (const char *name, gsize len, const char *wanted)
{
  return strlen (wanted) == len && g_ascii_strncasecmp (name, wanted, len) == 0;
}

static gsize
tag_name_len (const char *p, const char *end)
{
  const char *q = p;

  if (q >= end || !g_ascii_isalpha (*q))
    return 0;
  while (q < end && (g_ascii_isalnum (*q) || *q == '-'))
    q++;
  return (gsize) (q - p);
}

/* Whether a tag starts at @p (a "<"): "<name" or "</name" followed by a space, "/" or ">",
 * or "<!" and a comment or declaration. "<https://…>" and "a <b" in prose are not. */
static gboolean
tag_starts (const char *p, const char *end)
{
  const char *q = p + 1;
  gsize len;

  if (q < end && *q == '!')
    return q + 1 < end && (q[1] == '-' || g_ascii_isalpha (q[1]));
  if (q < end && *q == '/')
    q++;
  len = tag_name_len (q, end);
  q += len;
  return len > 0 && q < end && (g_ascii_isspace (*q) || *q == '/' || *q == '>');
}

gboolean
tessera_html_links_detect (const char *text, gsize len)
{
  const char *end = text + len;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  for (const char *p = memchr (text, '<', len); p != NULL; p = memchr (p + 1, '<', end - p - 1))
    if (tag_starts (p, end))
      return TRUE;
  return FALSE;
}

static const char *
skip_space (const char *p, const char *end)
{
  while (p < end && g_ascii_isspace (*p))
    p++;
  return p;
}

/* Keeps @value when @name is an attribute above met for the first time (HTML ignores repeats). */
static void
tag_keep (Tag *tag, const char *name, gsize name_len, const char *value, gsize value_len)
{
  for (Attr a = 0; a < N_ATTRS; a++)
    if (tag->value[a] == NULL && name_is (name, name_len, attr_names[a]))
      {
        tag->value[a] = value;
        tag->value_len[a] = value_len;
      }
}

/* Reads the attribute value at @p, quoted or not, into @value; returns where it ends. */
static const char *
read_value (const char *p, const char *end, const char **value, gsize *value_len)
{
  const char *close;

  if (p < end && (*p == '"' || *p == '\''))
    {
      close = memchr (p + 1, *p, (gsize) (end - p - 1));
      *value = p + 1;
      *value_len = (gsize) ((close != NULL ? close : end) - *value);
      return close != NULL ? close + 1 : end;
    }
  *value = p;
  while (p < end && !g_ascii_isspace (*p) && *p != '>')
    p++;
  *value_len = (gsize) (p - *value);
  return p;
}

/* Reads the attributes of the start tag whose name ends at @p into @tag; returns where the
 * tag ends (after its ">"). Quoted values may hold ">" and line breaks. */
static const char *
read_attributes (const char *p, const char *end, Tag *tag)
{
  for (;;)
    {
      const char *name;
      const char *value;
      gsize value_len;
      gsize name_len;

      while (p < end && (g_ascii_isspace (*p) || *p == '/'))
        p++;
      if (p >= end || *p == '>')
        return p < end ? p + 1 : end;
      name = p;
      while (p < end && !g_ascii_isspace (*p) && *p != '=' && *p != '>' && *p != '/')
        p++;
      name_len = (gsize) (p - name);
      p = skip_space (p, end);
      if (p < end && *p == '=')
        {
          p = read_value (skip_space (p + 1, end), end, &value, &value_len);
          tag_keep (tag, name, name_len, value, value_len);
        }
    }
}

/* A srcset candidate's size: a width ("800w") beats any density ("2x"; none means 1x). */
typedef struct
{
  gboolean is_width;
  double value;
} CandidateSize;

static gboolean
is_larger (CandidateSize a, CandidateSize b)
{
  return a.is_width != b.is_width ? a.is_width : a.value > b.value;
}

static CandidateSize
parse_descriptor (const char *s, gsize len)
{
  g_autofree char *copy = g_strndup (s, len);
  CandidateSize size = { FALSE, 1.0 };
  char *unit = NULL;
  double value = g_ascii_strtod (copy, &unit);

  if (unit != copy && value > 0 && (*unit == 'w' || *unit == 'x'))
    size = (CandidateSize){ *unit == 'w', value };
  return size;
}

/* The URL of the largest candidate in @srcset ("a.jpg 480w, b.jpg 1080w") that loads. A
 * candidate's URL runs to whitespace, so commas inside it stay; commas ending it separate. */
static char *
largest_in_srcset (const Reader *self, const char *srcset)
{
  g_autofree char *best = NULL;
  CandidateSize best_size = { FALSE, 0 };
  const char *p = srcset;

  for (;;)
    {
      const char *url;
      const char *url_end;
      const char *descriptor;
      char *found;
      CandidateSize size;

      while (g_ascii_isspace (*p) || *p == ',')
        p++;
      if (*p == '\0')
        return g_steal_pointer (&best);
      url = p;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
      url_end = p;
      descriptor = p;
      if (url_end[-1] == ',')
        while (url_end[-1] == ',')
          url_end--;
      else
        p += strcspn (p, ",");
      size = parse_descriptor (descriptor, (gsize) (p - descriptor));
      found = self->funcs->url (url, (gsize) (url_end - url), FALSE, self->user_data);
      if (found != NULL && (best == NULL || is_larger (size, best_size)))
        {
          g_free (best);
          best = found;
          best_size = size;
        }
      else
        g_free (found);
    }
}

/* The URL in the attribute @attr of @tag, character references decoded; NULL if none. */
static char *
tag_url (const Reader *self, const Tag *tag, Attr attr)
{
  g_autofree char *value = NULL;

  if (tag->value[attr] == NULL)
    return NULL;
  value = decode_references (tag->value[attr], tag->value_len[attr]);
  if (attr == ATTR_SRCSET || attr == ATTR_DATA_SRCSET)
    return largest_in_srcset (self, value);
  return self->funcs->url (value, strlen (value), attr == ATTR_HREF, self->user_data);
}

/* An <img> gives the first URL its attributes give, in Attr's order; an <a> its href when
 * that names an image, and then the <img> inside it (its thumbnail) gives none. */
static void
reader_take_tag (Reader *self, const Tag *tag)
{
  g_autofree char *href = NULL;

  if (name_is (tag->name, tag->name_len, "img"))
    {
      for (Attr a = 0; a < ATTR_HREF && !self->in_image_link; a++)
        {
          char *url = tag_url (self, tag, a);

          if (url != NULL)
            {
              self->funcs->found (url, self->user_data);
              return;
            }
        }
      return;
    }
  if (!name_is (tag->name, tag->name_len, "a"))
    return;
  href = tag_url (self, tag, ATTR_HREF);
  if (href != NULL)
    {
      self->in_image_link = TRUE;
      self->funcs->found (g_steal_pointer (&href), self->user_data);
    }
}

/* Tells of each line break in the markup from @p to @end. */
static void
reader_pass_markup (const Reader *self, const char *p, const char *end)
{
  for (; p < end; p++)
    if (*p == '\n' || (*p == '\r' && (p + 1 >= end || p[1] != '\n')))
      self->funcs->line_break (self->user_data);
}

/* Where "<!--…-->" or "<!DOCTYPE …>" that starts at @p ends. */
static const char *
declaration_end (const char *p, const char *end)
{
  const char *close;

  if ((gsize) (end - p) >= COMMENT_OPEN_LEN && memcmp (p, COMMENT_OPEN, COMMENT_OPEN_LEN) == 0)
    {
      close = g_strstr_len (p + COMMENT_OPEN_LEN, end - p - COMMENT_OPEN_LEN, "-->");
      return close != NULL ? close + 3 : end;
    }
  close = memchr (p, '>', (gsize) (end - p));
  return close != NULL ? close + 1 : end;
}

/* Where the contents of a <script> or <style> from @p end: at its closing tag. */
static const char *
raw_text_end (const char *p, const char *end, const char *name, gsize name_len)
{
  for (; p < end && (p = memchr (p, '<', (gsize) (end - p))) != NULL; p++)
    if ((gsize) (end - p) > name_len + 2 && p[1] == '/'
        && g_ascii_strncasecmp (p + 2, name, name_len) == 0)
      return p;
  return end;
}

/* Reads the markup at @p (a "<" that starts a tag) and returns where it ends. The contents
 * of <script> and <style> are code, not text a person reads: skipped with the tag. */
static const char *
reader_read_tag (Reader *self, const char *p, const char *end)
{
  Tag tag = { 0 };
  gboolean closing = p[1] == '/';
  const char *tag_end;

  if (p[1] == '!')
    tag_end = declaration_end (p, end);
  else
    {
      tag.name = p + 1 + closing;
      tag.name_len = tag_name_len (tag.name, end);
      tag_end = read_attributes (tag.name + tag.name_len, end, &tag);
      if (closing && name_is (tag.name, tag.name_len, "a"))
        self->in_image_link = FALSE;
      else if (!closing)
        reader_take_tag (self, &tag);
      if (!closing
          && (name_is (tag.name, tag.name_len, "script")
              || name_is (tag.name, tag.name_len, "style")))
        tag_end = raw_text_end (tag_end, end, tag.name, tag.name_len);
    }
  reader_pass_markup (self, p, tag_end);
  return tag_end;
}

/* Text between tags, character references decoded. */
static void
reader_text (const Reader *self, const char *text, const char *end)
{
  g_autofree char *decoded = decode_references (text, (gsize) (end - text));

  self->funcs->text (decoded, strlen (decoded), self->user_data);
}

void
tessera_html_links_read (const char *text, gsize len, const TesseraHtmlLinksFuncs *funcs,
                         gpointer user_data)
{
  Reader reader = { funcs, user_data, FALSE };
  const char *end = text + len;
  const char *run = text;
  const char *p = text;

  g_return_if_fail (text != NULL || len == 0);
  g_return_if_fail (funcs != NULL);

  while (p < end && (p = memchr (p, '<', (gsize) (end - p))) != NULL)
    {
      if (!tag_starts (p, end))
        {
          p++;
          continue;
        }
      reader_text (&reader, run, p);
      p = run = reader_read_tag (&reader, p, end);
    }
  reader_text (&reader, run, end);
}
