/* source.c — input bytes and their line map; byte offsets become 1-based
 * line:column (UTF-8 code points) only when a diagnostic is reported. */
#include "source.h"

#include <string.h>

fl_source *fl_source_new(fl_arena *a, uint32_t id, const char *path,
			 const char *data, size_t len)
{
	fl_source *s = fl_arena_alloc(a, sizeof(*s));
	if (!s)
		return NULL;
	s->id = id;
	s->path = fl_arena_strdup(a, path);
	s->data = fl_arena_strndup(a, data, len);
	s->len = len;
	if (!s->path || !s->data)
		return NULL;
	uint32_t n = 1;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n')
			n++;
	s->lines = fl_arena_alloc(a, sizeof(uint32_t) * n);
	if (!s->lines)
		return NULL;
	s->nlines = 0;
	s->lines[s->nlines++] = 0;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n' && s->nlines < n)
			s->lines[s->nlines++] = (uint32_t)(i + 1);
	return s;
}

void fl_source_linecol(const fl_source *s, uint32_t off, unsigned *line,
		       unsigned *col)
{
	if (off > s->len)
		off = (uint32_t)s->len;
	/* Last line start <= off. */
	uint32_t lo = 0, hi = s->nlines;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	unsigned c = 1;
	for (uint32_t i = s->lines[lo]; i < off; i++)
		if (((unsigned char)s->data[i] & 0xC0) != 0x80)
			c++;
	*line = lo + 1;
	*col = c;
}

void fl_source_linecol_near(const fl_source *s, fl_linecol_hint *h, uint32_t off,
			    unsigned *line, unsigned *col)
{
	if (off > s->len)
		off = (uint32_t)s->len;
	if (h->src == s && h->line && off >= h->off) {
		/* h->line is 1-based: lines[h->line] starts the next line */
		uint32_t next = h->line < s->nlines ? s->lines[h->line] : (uint32_t)s->len + 1;
		if (off < next) {
			unsigned c = h->col;
			for (uint32_t i = h->off; i < off; i++)
				if (((unsigned char)s->data[i] & 0xC0) != 0x80)
					c++;
			*line = h->line;
			*col = c;
			h->off = off;
			h->col = c;
			return;
		}
	}
	fl_source_linecol(s, off, line, col);
	*h = (fl_linecol_hint){s, off, *line, *col};
}

const char *fl_source_line(const fl_source *s, unsigned line, size_t *len)
{
	if (line == 0 || line > s->nlines)
		return NULL;
	uint32_t start = s->lines[line - 1];
	uint32_t end = line < s->nlines ? s->lines[line] : (uint32_t)s->len;
	while (end > start && (s->data[end - 1] == '\n' || s->data[end - 1] == '\r'))
		end--;
	*len = end - start;
	return s->data + start;
}

fl_span fl_text_span(const fl_text *t, uint32_t from, uint32_t to)
{
	if (!t->pos || t->len == 0)
		return (fl_span){UINT32_MAX, 0, 0};
	if (from > t->len)
		from = t->len;
	if (to > t->len)
		to = t->len;
	if (to < from)
		to = from;
	fl_pos a = t->pos[from];
	if (to == from)
		return (fl_span){a.src, a.off, a.off};
	fl_pos b = t->pos[to - 1];
	if (b.src != a.src || b.off < a.off)
		return (fl_span){a.src, a.off, a.off + 1};
	return (fl_span){a.src, a.off, b.off + 1};
}

int fl_text_append(fl_arena *a, fl_text *t, const char *s, uint32_t len,
		   const fl_pos *pos)
{
	uint32_t n = t->len + len;
	char *ns = fl_arena_alloc(a, (size_t)n + 1);
	fl_pos *np = fl_arena_alloc(a, sizeof(fl_pos) * ((size_t)n + 1));
	if (!ns || !np)
		return -1;
	if (t->len) {
		memcpy(ns, t->s, t->len);
		memcpy(np, t->pos, sizeof(fl_pos) * t->len);
	}
	memcpy(ns + t->len, s, len);
	memcpy(np + t->len, pos, sizeof(fl_pos) * ((size_t)len + 1));
	t->s = ns;
	t->pos = np;
	t->len = n;
	return 0;
}
