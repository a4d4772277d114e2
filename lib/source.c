/* source.c — input bytes and their line map; byte offsets become 1-based
 * line:column (UTF-8 code points) only when a diagnostic is reported. */
#include "source.h"
#include "falcolint.h"

#include <string.h>

/* The line map is built in one pass over the bytes, eight at a time
 * (memchr per line spent most of its time on calls: rule files have short
 * lines; and a second pass over a large file costs its page walks again).
 * nl_bits() sets the high bit of every byte of the word that is a newline,
 * and only those. */
#define ONES UINT64_C(0x0101010101010101)
#define LOW7 UINT64_C(0x7f7f7f7f7f7f7f7f)
#define WORD_SCAN (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

static uint64_t nl_bits(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w);
	w ^= ONES * '\n';
	return ~(((w & LOW7) + LOW7) | w | LOW7);
}

static uint32_t nl_count(uint64_t bits)
{
	return (uint32_t)(((bits >> 7) * ONES) >> 56);
}

/* Sets s->line_marks (entry k: the start of line k * FL_LINE_STRIDE) and
 * s->nlines; 0 or FL_ENOMEM. */
static int map_lines(fl_arena *a, fl_source *s, const unsigned char *p, size_t len)
{
	FL_VEC(uint32_t) marks = {0};
	/* room for lines of 32 bytes on average: rule files' are longer */
	if (FL_VEC_RESERVE(a, marks, len / (32 * FL_LINE_STRIDE) + 16) ||
	    FL_VEC_PUSH(a, marks, 0))
		return FL_ENOMEM;
	uint32_t line = 1; /* lines started so far */
	size_t i = 0;
	if (WORD_SCAN) {
		for (; i + 8 <= len; i += 8) {
			uint64_t bits = nl_bits(p + i);
			uint32_t c = nl_count(bits);
			/* no line of a stride multiple starts in this word */
			uint32_t next = (line + FL_LINE_STRIDE - 1) / FL_LINE_STRIDE * FL_LINE_STRIDE;
			if (next >= line + c) {
				line += c;
				continue;
			}
			for (; bits; bits &= bits - 1, line++)
				if (line % FL_LINE_STRIDE == 0 &&
				    FL_VEC_PUSH(a, marks,
						(uint32_t)(i + (size_t)__builtin_ctzll(bits) / 8 + 1)))
					return FL_ENOMEM;
		}
	}
	for (; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (line % FL_LINE_STRIDE == 0 && FL_VEC_PUSH(a, marks, (uint32_t)(i + 1)))
			return FL_ENOMEM;
		line++;
	}
	s->line_marks = marks.v;
	s->nlines = line;
	return 0;
}

fl_source *fl_source_adopt(fl_arena *a, uint32_t id, const char *path,
			   const char *data, size_t len)
{
	fl_source *s = fl_arena_alloc(a, sizeof(*s));
	if (!s)
		return NULL;
	s->id = id;
	s->path = fl_arena_strdup(a, path);
	s->data = data;
	s->len = len;
	if (!s->path || map_lines(a, s, (const unsigned char *)data, len))
		return NULL;
	return s;
}

uint32_t fl_source_next_line(const fl_source *s, uint32_t off)
{
	const char *nl = off < s->len ? memchr(s->data + off, '\n', s->len - off) : NULL;
	return nl ? (uint32_t)(nl - s->data) + 1 : (uint32_t)s->len;
}

uint32_t fl_source_line_start(const fl_source *s, uint32_t line)
{
	uint32_t off = s->line_marks[line / FL_LINE_STRIDE];
	for (uint32_t k = line % FL_LINE_STRIDE; k > 0; k--)
		off = fl_source_next_line(s, off);
	return off;
}

fl_source *fl_source_new(fl_arena *a, uint32_t id, const char *path,
			 const char *data, size_t len)
{
	char *copy = fl_arena_strndup(a, data, len);
	return copy ? fl_source_adopt(a, id, path, copy, len) : NULL;
}

void fl_source_linecol(const fl_source *s, uint32_t off, unsigned *line,
		       unsigned *col)
{
	if (off > s->len)
		off = (uint32_t)s->len;
	/* Last sampled line start <= off, then line by line. */
	uint32_t lo = 0, hi = (s->nlines - 1) / FL_LINE_STRIDE + 1;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->line_marks[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	uint32_t ln = lo * FL_LINE_STRIDE, start = s->line_marks[lo];
	for (uint32_t next; ln + 1 < s->nlines && (next = fl_source_next_line(s, start)) <= off;
	     ln++)
		start = next;
	unsigned c = 1;
	for (uint32_t i = start; i < off; i++)
		if (((unsigned char)s->data[i] & 0xC0) != 0x80)
			c++;
	*line = ln + 1;
	*col = c;
}

void fl_source_linecol_near(const fl_source *s, fl_linecol_hint *h, uint32_t off,
			    unsigned *line, unsigned *col)
{
	if (off > s->len)
		off = (uint32_t)s->len;
	if (h->src == s && h->line && off >= h->off) {
		/* Walk on from the hint: diagnostics come in file order, so
		 * the next one is usually a few lines further (past a stride
		 * of lines, the sampled map is as quick). */
		unsigned ln = h->line, c = h->col, k = 0;
		uint32_t from = h->off;
		const char *nl;
		while (k < FL_LINE_STRIDE &&
		       (nl = memchr(s->data + from, '\n', off - from)) != NULL) {
			from = (uint32_t)(nl - s->data) + 1;
			ln++;
			c = 1;
			k++;
		}
		if (k < FL_LINE_STRIDE) {
			for (uint32_t i = from; i < off; i++)
				if (((unsigned char)s->data[i] & 0xC0) != 0x80)
					c++;
			*line = ln;
			*col = c;
			*h = (fl_linecol_hint){s, off, ln, c};
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
	uint32_t start = fl_source_line_start(s, line - 1);
	uint32_t end = fl_source_next_line(s, start);
	while (end > start && (s->data[end - 1] == '\n' || s->data[end - 1] == '\r'))
		end--;
	*len = end - start;
	return s->data + start;
}

/* ---- texts and their positions ---------------------------------------- */

/* The run covering byte i: the last one starting at or before it. */
static const fl_run *run_at(const fl_run *r, uint32_t n, uint32_t i)
{
	uint32_t lo = 0, hi = n;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (r[mid].at <= i)
			lo = mid;
		else
			hi = mid;
	}
	return &r[lo];
}

static fl_pos run_pos(const fl_run *r, uint32_t i)
{
	return (fl_pos){r->src, r->linear ? r->off + (i - r->at) : r->off};
}

fl_pos fl_text_pos(const fl_text *t, uint32_t i)
{
	if (!t->runs || !t->nruns)
		return (fl_pos){UINT32_MAX, 0};
	return run_pos(run_at(t->runs, t->nruns, i), i);
}

fl_span fl_text_span(const fl_text *t, uint32_t from, uint32_t to)
{
	if (!t->runs || t->len == 0)
		return (fl_span){UINT32_MAX, 0, 0};
	if (from > t->len)
		from = t->len;
	if (to > t->len)
		to = t->len;
	if (to < from)
		to = from;
	fl_pos a = fl_text_pos(t, from);
	if (to == from)
		return (fl_span){a.src, a.off, a.off};
	fl_pos b = fl_text_pos(t, to - 1);
	if (b.src != a.src || b.off < a.off)
		return (fl_span){a.src, a.off, a.off + 1};
	return (fl_span){a.src, a.off, b.off + 1};
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int fl_text_trim(fl_arena *a, fl_text *t)
{
	uint32_t b = 0, e = t->len;
	while (b < e && is_blank(t->s[b]))
		b++;
	while (e > b && is_blank(t->s[e - 1]))
		e--;
	if (b > 0 && t->runs) {
		/* rebase the runs from the one holding byte b */
		const fl_run *r0 = run_at(t->runs, t->nruns, b);
		uint32_t k = (uint32_t)(r0 - t->runs), n = t->nruns - k;
		fl_run *r = fl_arena_alloc(a, sizeof(*r) * n);
		if (!r)
			return FL_ENOMEM;
		for (uint32_t i = 0; i < n; i++) {
			r[i] = r0[i];
			r[i].at -= b;
		}
		fl_pos p = run_pos(r0, b);
		r[0].at = 0;
		r[0].off = p.off;
		t->runs = r;
		t->nruns = n;
	}
	/* Past a trailing cut, the position of byte e is the one the text
	 * had there: the runs already say so. */
	t->s += b;
	t->len = e - b;
	return 0;
}

int fl_text_copy(fl_arena *a, const fl_text *t, fl_text *out)
{
	char *s = fl_arena_strndup(a, t->s, t->len);
	fl_run *r = NULL;
	if (s && t->runs && t->nruns) {
		r = fl_arena_alloc(a, (size_t)t->nruns * sizeof(*r));
		if (r)
			memcpy(r, t->runs, (size_t)t->nruns * sizeof(*r));
	}
	if (!s || (t->runs && t->nruns && !r))
		return FL_ENOMEM;
	*out = (fl_text){s, t->len, r ? t->nruns : 0, r};
	return 0;
}

/* ---- text builder ------------------------------------------------------ */

/* Grows the byte buffer for n more bytes (+ NUL). */
static int tb_reserve(fl_text_builder *b, size_t n)
{
	if (b->n + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->n + n + 1)
		cap *= 2;
	if (cap > (size_t)UINT32_MAX)
		return -1;
	char *ns = fl_arena_realloc(b->a, b->s, b->n, cap);
	if (!ns)
		return -1;
	b->s = ns;
	b->cap = cap;
	return 0;
}

/* Starts a run at byte b->n, unless the previous run already gives
 * exactly these positions.  linear < 0: a run for the one position at
 * len (fl_tbuild_done), whose shape does not matter. */
static void tb_run(fl_text_builder *b, fl_pos p, int linear)
{
	uint32_t at = (uint32_t)b->n;
	while (b->nruns && b->runs[b->nruns - 1].at >= at)
		b->nruns--;    /* empty: nothing of it is left */
	if (b->nruns) {
		const fl_run *l = &b->runs[b->nruns - 1];
		fl_pos q = run_pos(l, at);
		if (q.src == p.src && q.off == p.off &&
		    (linear < 0 || l->linear == (unsigned)linear))
			return;
	}
	if (b->nruns == b->rcap) {
		size_t cap = b->rcap ? b->rcap * 2 : 4;
		fl_run *r = fl_arena_realloc(b->a, b->runs, b->nruns * sizeof(*r), cap * sizeof(*r));
		if (!r) {
			b->oom = 1;
			return;
		}
		b->runs = r;
		b->rcap = cap;
	}
	b->runs[b->nruns++] = (fl_run){at, p.off, p.src & 0x7fffffffu, linear > 0 ? 1u : 0u};
}

/* Room for n bytes, or sets oom/over. */
static int tb_room(fl_text_builder *b, size_t n)
{
	if (b->oom || b->over)
		return 0;
	if (b->max && b->n + n > b->max) {
		b->over = 1;
		return 0;
	}
	if (tb_reserve(b, n)) {
		b->oom = 1;
		return 0;
	}
	return 1;
}

void fl_tbuild_put(fl_text_builder *b, const char *s, size_t n, fl_pos at)
{
	if (!tb_room(b, n))
		return;
	b->last = at;
	if (b->with_pos && n)
		tb_run(b, at, 0);
	if (n)
		memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

void fl_tbuild_copy(fl_text_builder *b, const fl_text *t, uint32_t from, uint32_t to,
		    fl_pos at)
{
	if (!t->runs) {
		fl_tbuild_put(b, t->s + from, to - from, at);
		return;
	}
	size_t n = to - from;
	if (!tb_room(b, n))
		return;
	b->last = at;
	if (b->with_pos && n) {
		const fl_run *r = run_at(t->runs, t->nruns, from), *end = t->runs + t->nruns;
		size_t base = b->n;
		for (; r < end && r->at < to; r++) {
			uint32_t i = r->at > from ? r->at : from;
			b->n = base + (i - from);
			tb_run(b, run_pos(r, i), r->linear);
		}
		b->n = base;
	}
	if (n)
		memcpy(b->s + b->n, t->s + from, n);
	b->n += n;
	b->s[b->n] = 0;
}

void fl_tbuild_truncate(fl_text_builder *b, size_t n)
{
	if (n >= b->n)
		return;
	b->n = n;
	b->s[n] = 0;
	while (b->nruns && b->runs[b->nruns - 1].at >= n)
		b->nruns--;
}

int fl_tbuild_done(fl_text_builder *b, fl_text *out)
{
	if (!b->s)
		fl_tbuild_put(b, "", 0, b->last);
	if (b->oom)
		return FL_ENOMEM;
	if (b->over)
		return 1;
	if (b->with_pos) {
		/* the position of byte len: a run of its own unless the last
		 * run already leads there */
		tb_run(b, b->last, -1);
		if (b->oom)
			return FL_ENOMEM;
		out->runs = b->runs;
		out->nruns = (uint32_t)b->nruns;
		/* a run at len is a view's own: the next append replaces it */
		if (b->nruns && b->runs[b->nruns - 1].at == b->n)
			b->nruns--;
	} else {
		out->runs = NULL;
		out->nruns = 0;
	}
	out->s = b->s;
	out->len = (uint32_t)b->n;
	return 0;
}

int fl_text_join(fl_text_builder *b, const fl_text *x, const fl_text *y, fl_text *out)
{
	if ((uint64_t)x->len + 1 + y->len >= UINT32_MAX / 2)
		return FL_ENOMEM;
	int owned = b->s && x->s == b->s && x->len == b->n;
	if (!owned) {
		/* fresh buffers: views of the old ones stay as they are */
		*b = (fl_text_builder){.a = b->a, .with_pos = x->runs || y->runs};
		fl_tbuild_copy(b, x, 0, x->len, fl_text_pos(x, x->len));
	}
	/* The joining space belongs to no file byte; put it where the appended
	 * piece starts so a caret on it points at the seam. */
	fl_pos y0 = y->runs ? fl_text_pos(y, 0) : (fl_pos){0, 0};
	fl_tbuild_put(b, " ", 1, y0);
	fl_tbuild_copy(b, y, 0, y->len, y->runs ? fl_text_pos(y, y->len) : y0);
	return fl_tbuild_done(b, out) ? FL_ENOMEM : 0;
}
