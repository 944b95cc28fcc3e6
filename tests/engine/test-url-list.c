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
  /* One URL with spaces on a line of its own, as a file manager or a chat shows it. */
  { .name = "spaced-url-line",
    .text = "https://host.example/files/my cat.png",
    .len = -1,
    .urls = { "https://host.example/files/my%20cat.png" } },
  { .name = "spaced-url-line-folders",
    .text = "  https://a.b/My Photos/cat 1.JPG \nhttps://a.b/x y.webp\r\n",
    .len = -1,
    .urls = { "https://a.b/My%20Photos/cat%201.JPG", "https://a.b/x%20y.webp" } },
  { .name = "spaced-file-url-line",
    .text = "file:///tmp/my cat.png",
    .len = -1,
    .urls = { "file:///tmp/my%20cat.png" } },
  { .name = "spaced-line-not-an-image-is-words",
    .text = "https://a.b/gallery for you",
    .len = -1,
    .urls = { "https://a.b/gallery" } },
  { .name = "spaced-line-first-word-is-whole",
    .text = "https://a.b/cat.png is my cat.png",
    .len = -1,
    .urls = { "https://a.b/cat.png" } },
  { .name = "spaced-line-in-prose-is-words",
    .text = "https://a.b/1.png and https://a.b/2.png",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png" } },
  /* HTML: character references decoded, src/srcset/href preferred, markup never a URL. */
  { .name = "html-three-images",
    .text = "<div class=\"gallery\">\n"
            "  <figure><img src=\"https://a.b/1.jpg\" alt=\"One\"></figure>\n"
            "  <figure>\n    <img src=\"https://a.b/2.jpg\" alt=\"Two\">\n  </figure>\n"
            "  <p><a href=\"https://a.b/post\">Three</a> <img src=\"https://a.b/3.jpg\"></p>\n"
            "</div>\n",
    .len = -1,
    .urls = { "https://a.b/1.jpg", "https://a.b/2.jpg", "https://a.b/3.jpg" } },
  { .name = "html-closing-tags-alone", .text = "</div>\n</a>\n</p>\n</figure>", .len = -1 },
  { .name = "html-named-references",
    .text = "<img src=\"https://a.b/c.png?a=1&amp;b=2&amp;c=&quot;x&quot;\">",
    .len = -1,
    .urls = { "https://a.b/c.png?a=1&b=2&c=\"x\"" } },
  { .name = "html-numeric-references",
    .text = "<img src=\"https://a.b/c.png?a=1&#38;b=2&#x26;c=3&#X26;d=4\">",
    .len = -1,
    .urls = { "https://a.b/c.png?a=1&b=2&c=3&d=4" } },
  { .name = "html-unknown-references-stay",
    .text = "<img src=\"https://a.b/c.png?a=1&copy=2&b;c&lt\">",
    .len = -1,
    .urls = { "https://a.b/c.png?a=1&copy=2&b;c&lt" } },
  { .name = "html-text-between-tags",
    .text = "<p>See https://a.b/c.png?a=1&amp;b=2.</p>\n<p>Nothing here</p>",
    .len = -1,
    .urls = { "https://a.b/c.png?a=1&b=2" },
    .n_not_urls = 1 },
  { .name = "html-srcset-largest-width",
    .text = "<img src=\"https://a.b/s.jpg\" srcset=\"https://a.b/s.jpg 480w, https://a.b/l.jpg "
            "1600w, https://a.b/m.jpg 800w\" sizes=\"50vw\">",
    .len = -1,
    .urls = { "https://a.b/l.jpg" } },
  { .name = "html-srcset-largest-density",
    .text = "<img srcset=\"https://a.b/x1.png, https://a.b/x3.png 3x,https://a.b/x2.png 2x\">",
    .len = -1,
    .urls = { "https://a.b/x3.png" } },
  { .name = "html-srcset-commas-in-urls",
    .text = "<img srcset=\"https://res.cloudinary.com/d/image/upload/w_400,h_300,c_fill/p.jpg 400w,"
            " https://res.cloudinary.com/d/image/upload/w_800,h_600,c_fill/p.jpg 800w\">",
    .len = -1,
    .urls = { "https://res.cloudinary.com/d/image/upload/w_800,h_600,c_fill/p.jpg" } },
  { .name = "html-lazy-data-src",
    .text = "<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" "
            "data-src=\"https://a.b/real.jpg\">",
    .len = -1,
    .urls = { "https://a.b/real.jpg" } },
  { .name = "html-link-around-thumbnail",
    .text = "<a href=\"https://a.b/full.jpg\"><img src=\"https://a.b/thumb.jpg\"></a>\n"
            "<img src=\"https://a.b/other.png\">",
    .len = -1,
    .urls = { "https://a.b/full.jpg", "https://a.b/other.png" } },
  { .name = "html-link-to-a-page",
    .text = "<a href=\"https://a.b/post/12\"><img src=\"https://a.b/p.png\"></a>",
    .len = -1,
    .urls = { "https://a.b/p.png" } },
  { .name = "html-picture-gives-its-img",
    .text = "<picture><source srcset=\"https://a.b/p.webp\" type=\"image/webp\">"
            "<img src=\"https://a.b/p.jpg\"></picture>",
    .len = -1,
    .urls = { "https://a.b/p.jpg" } },
  { .name = "html-protocol-relative",
    .text = "<img src=\"//cdn.a.b/x.png\">",
    .len = -1,
    .urls = { "https://cdn.a.b/x.png" } },
  { .name = "html-relative-src-skipped",
    .text = "<img src=\"/images/x.png\"><img src=\"x.png\"><img src=\"file:///etc/x.png\">",
    .len = -1 },
  { .name = "html-quotes-case-and-spaces",
    .text = "<IMG SRC='https://a.b/1.png'><img alt=\"a > b\" src = \" https://a.b/my cat.png \">",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/my%20cat.png" } },
  { .name = "html-script-style-comment-skipped",
    .text = "<script src=\"https://a.b/app.js\">var u = \"https://a.b/x.png\";</script>\n"
            "<style>body { background: url(https://a.b/bg.png) }</STYLE>\n"
            "<!-- <img src=\"https://a.b/old.png\"> -->\n<img src=\"https://a.b/new.png\">",
    .len = -1,
    .urls = { "https://a.b/new.png" } },
  { .name = "not-html-references-stay",
    .text = "https://a.b/c.png?a=1&amp;b=2",
    .len = -1,
    .urls = { "https://a.b/c.png?a=1&amp;b=2" } },
  /* Characters that belong to a URL stay in it. */
  { .name = "cloudinary-commas",
    .text = "https://res.cloudinary.com/demo/image/upload/w_300,h_200,c_fill/photo.jpg",
    .len = -1,
    .urls = { "https://res.cloudinary.com/demo/image/upload/w_300,h_200,c_fill/photo.jpg" } },
  { .name = "apostrophe-in-path",
    .text = "https://a.b/it's-a-cat.jpg, and 'https://a.b/it's.jpg'",
    .len = -1,
    .urls = { "https://a.b/it's-a-cat.jpg", "https://a.b/it's.jpg" } },
  { .name = "double-commas-in-path",
    .text = "https://www.example.de/news/0,,123,00.html",
    .len = -1,
    .urls = { "https://www.example.de/news/0,,123,00.html" } },
  { .name = "map-coordinates",
    .text = "https://www.google.com/maps/@59.93,30.31,15z.",
    .len = -1,
    .urls = { "https://www.google.com/maps/@59.93,30.31,15z" } },
  { .name = "quotes-in-query",
    .text = "https://a.b/img?name='x'&t=\"y\"",
    .len = -1,
    .urls = { "https://a.b/img?name='x'&t=\"y\"" } },
  { .name = "quoted-list",
    .text
    = "\"https://a.b/1.png\",\"https://a.b/2.png\"\n['https://a.b/3.png','https://a.b/4.png']",
    .len = -1,
    .urls
    = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png", "https://a.b/4.png" } },
  { .name = "quote-then-sentence",
    .text = "He wrote \"https://a.b/x.png\". Then (\"https://a.b/y.png\").",
    .len = -1,
    .urls = { "https://a.b/x.png", "https://a.b/y.png" } },
  { .name = "smart-quotes-around-apostrophe",
    .text = "\xE2\x80\x98https://a.b/it\xE2\x80\x99s.png\xE2\x80\x99",
    .len = -1,
    .urls = { "https://a.b/it\xE2\x80\x99s.png" } },
  { .name = "markdown-links-back-to-back",
    .text = "[a](https://a.b/1.png)[b](https://a.b/2.png)",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png" } },
  { .name = "markdown-title-and-parentheses",
    .text = "![cat](https://a.b/c.png \"A cat\") [x](https://en.wikipedia.org/wiki/Foo_(bar).jpg)",
    .len = -1,
    .urls = { "https://a.b/c.png", "https://en.wikipedia.org/wiki/Foo_(bar).jpg" } },
  { .name = "markdown-angle-destination",
    .text = "[my cat](<https://host/files/my cat.png>)",
    .len = -1,
    .urls = { "https://host/files/my%20cat.png" } },
  { .name = "markdown-angle-destination-title-and-reference",
    .text = "![a](<https://a.b/x y.png> \"A title\") then\n[b]:  <https://a.b/z w.jpg>",
    .len = -1,
    .urls = { "https://a.b/x%20y.png", "https://a.b/z%20w.jpg" } },
  { .name = "markdown-angle-destination-not-a-url",
    .text = "[x](<my cat.png>) https://a.b/1.png [y](<https://a.b/open.png",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/open.png" } },
  { .name = "braces",
    .text = "{https://a.b/1.png} https://a.b/{id}/2.png",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/{id}/2.png" } },
  { .name = "unbalanced-closers",
    .text = "https://a.b/1.png) https://a.b/2.png] https://a.b/3.png} https://a.b/4.png\"",
    .len = -1,
    .urls
    = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png", "https://a.b/4.png" } },
  { .name = "fullwidth-punctuation",
    .text = "\xE7\x9C\x8B https://a.b/1.png\xEF\xBC\x8C\xE8\xBF\x98 https://a.b/2.png\xE3\x80\x82",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png" } },
  { .name = "fullwidth-without-spaces",
    .text = "\xE7\x9C\x8Bhttps://a.b/1.png\xEF\xBD\x9Chttps://a.b/2.png\xEF\xBC\x88https://a.b/"
            "3.png\xEF\xBC\x89\xE3\x80\x8Chttps://a.b/4.png\xE3\x80\x8D",
    .len = -1,
    .urls
    = { "https://a.b/1.png", "https://a.b/2.png", "https://a.b/3.png", "https://a.b/4.png" } },
  { .name = "ellipsis-and-question",
    .text = "https://a.b/1.png\xE2\x80\xA6 https://a.b/2.png?",
    .len = -1,
    .urls = { "https://a.b/1.png", "https://a.b/2.png" } },
  { .name = "real-urls-kept-whole",
    .text
    = "https://images.unsplash.com/photo-1514888286974-6c03e2ca1dba?ixlib=rb-4.0.3&w=1200&q=80\n"
      "https://upload.wikimedia.org/wikipedia/commons/thumb/3/3a/Cat03.jpg/1200px-Cat03.jpg\n"
      "https://pbs.twimg.com/media/FooBar.jpg:large\n"
      "https://a.b/~me/photo+1.png;v=2\n"
      "https://a.b/@user/wow!/x$y*z.png\n"
      "https://a.b/my%20cat.png\n",
    .len = -1,
    .urls
    = { "https://images.unsplash.com/photo-1514888286974-6c03e2ca1dba?ixlib=rb-4.0.3&w=1200&q=80",
        "https://upload.wikimedia.org/wikipedia/commons/thumb/3/3a/Cat03.jpg/1200px-Cat03.jpg",
        "https://pbs.twimg.com/media/FooBar.jpg:large", "https://a.b/~me/photo+1.png;v=2",
        "https://a.b/@user/wow!/x$y*z.png", "https://a.b/my%20cat.png" } },
  { .name = "path-with-comma",
    .text = "/home/me/a,b.png",
    .len = -1,
    .urls = { "file:///home/me/a,b.png" } },
  /* Links without a scheme, as an address bar or a chat gives them. */
  { .name = "schemeless-imgur",
    .text = "i.imgur.com/abc123.jpg",
    .len = -1,
    .urls = { "https://i.imgur.com/abc123.jpg" } },
  { .name = "schemeless-www",
    .text = "www.example.com/cat.png www.intranet/dog.png",
    .len = -1,
    .urls = { "https://www.example.com/cat.png", "https://www.intranet/dog.png" } },
  { .name = "schemeless-in-chat",
    .text = "look (i.imgur.com/abc123.jpg), and \"example.org/a.png\".",
    .len = -1,
    .urls = { "https://i.imgur.com/abc123.jpg", "https://example.org/a.png" } },
  { .name = "schemeless-port-and-case",
    .text = "Example.COM:8080/Photo.PNG",
    .len = -1,
    .urls = { "https://example.com:8080/Photo.PNG" } },
  { .name = "schemeless-suffixes",
    .text = "user.github.io/pics/a.png\nimages.bbc.co.uk/a.jpg\nfoo.blogspot.com/b.gif",
    .len = -1,
    .urls = { "https://user.github.io/pics/a.png", "https://images.bbc.co.uk/a.jpg",
              "https://foo.blogspot.com/b.gif" } },
  { .name = "prose-is-not-links",
    .text = "node.js and io.js\nversion 1.2.3\nfile.pl\ne.g. a.m. p.m.\nMr.Smith said so.\n"
            "node.js/io.js and main.c/x",
    .len = -1,
    .n_not_urls = 6 },
  { .name = "bare-host-is-not-a-link",
    .text = "example.com\nwww.example.com\nexample.com/\nexample.com/.",
    .len = -1,
    .n_not_urls = 4 },
  { .name = "bad-hosts",
    .text = "a..b.com/x.png\n-a.com/x.png\na-.com/x.png\nmy_host.com/x.png\n.com/x.png\n"
            "co.uk/x.png\n192.168.1.10/x.png\nexample.com:/x.png\nexample.com:123456/x.png",
    .len = -1,
    .n_not_urls = 9 },
  { .name = "emails-are-not-links",
    .text = "me@example.com, you@example.org",
    .len = -1,
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
  { 0, 2, 0, FALSE, FALSE, "No image URLs found · 2 lines were not URLs" },
  { 0, 0, 0, FALSE, FALSE, "No image URLs found" },
  { 0, 0, 3, FALSE, FALSE, "No new image URLs found · 3 duplicates skipped" },
  { 2, 1, 5, FALSE, FALSE, "Added 2 images · 1 line was not a URL · 5 duplicates skipped" },
  { 4, 0, 2, TRUE, FALSE,
    "Added 4 images · 2 duplicates skipped · some text was not UTF-8 and was skipped" },
  { 0, 0, 0, TRUE, TRUE,
    "No image URLs found · some text was not UTF-8 and was skipped · the text was too long and "
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
