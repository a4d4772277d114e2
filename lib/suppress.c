/* suppress.c — inline suppressions read from YAML comments:
 * `# falco-lint: disable=CODES` (the item on that line or the next, or just
 * those two lines) and `# falco-lint: disable-file=CODES`.  libyaml drops
 * comments, so they are found by a small scanner over the source bytes that
 * knows enough YAML to skip '#' inside quoted and block scalars. */
#include <string.h>

#include "session.h"

typedef struct supp {
	uint32_t src;
	fl_span at;             /* the code token, for FL901 */
	const char *code;       /* code or prefix, or "all" */
	size_t len;
	int file_wide;
	unsigned first, last;   /* covered lines (1-based, inclusive) */
	int used;
} supp;

typedef FL_VEC(supp) supp_vec;
typedef FL_VEC(unsigned) line_vec;

/* Per-line facts the scanner collects for one source. */
typedef struct scan {
	fl_session *s;
	const fl_source *src;
	supp_vec *out;
	line_vec items;         /* first line of each top-level sequence element */
	line_vec ends;          /* last content line of each of those elements */
	int count;              /* suppressions recorded so far */
} scan;

#define MAX_PER_FILE 1000

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_code_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A code token is valid when it is "all" or a prefix of a known code. */
static int known_code(const char *p, size_t n)
{
	if (n == 3 && (p[0] | 0x20) == 'a' && (p[1] | 0x20) == 'l' && (p[2] | 0x20) == 'l')
		return 1;
	for (size_t i = 0; i < FL_NCODES; i++)
		if (n && n <= strlen(fl_checks[i].code) && !strncmp(fl_checks[i].code, p, n))
			return 1;
	return 0;
}

/* Reads the comment text c[0..n) that starts after '#' at byte `off` of the
 * source, on 1-based line `line`.  Anything not addressed to falco-lint is
 * an ordinary comment. */
static int directive(scan *sc, const char *c, size_t n, uint32_t off, unsigned line)
{
	static const char tag[] = "falco-lint:";
	size_t i = 0;
	while (i < n && is_blank(c[i]))
		i++;
	if (n - i < sizeof tag - 1 || strncmp(c + i, tag, sizeof tag - 1))
		return 0;
	i += sizeof tag - 1;
	while (i < n && is_blank(c[i]))
		i++;
	int file_wide;
	if (n - i >= 13 && !strncmp(c + i, "disable-file=", 13)) {
		file_wide = 1;
		i += 13;
	} else if (n - i >= 8 && !strncmp(c + i, "disable=", 8)) {
		file_wide = 0;
		i += 8;
	} else {
		size_t e = i;
		while (e < n && !is_blank(c[e]))
			e++;
		fl_dg *g = fl_diag(&sc->s->diags, FL902,
				   (fl_span){sc->src->id, off + (uint32_t)i, off + (uint32_t)(e > i ? e : i + 1)},
				   "unknown suppression directive '%.*s' (expected 'disable=' or 'disable-file=')",
				   (int)(e - i > 60 ? 60 : e - i), c + i);
		return g ? 0 : FL_ENOMEM;
	}
	/* CODES: tokens separated by commas (blanks around commas allowed);
	 * the first blank not followed by a comma ends the list, so a reason
	 * may follow ("disable=FL106 legacy name"). */
	for (;;) {
		while (i < n && is_blank(c[i]))
			i++;
		size_t b = i;
		while (i < n && is_code_char(c[i]))
			i++;
		fl_span sp = {sc->src->id, off + (uint32_t)b, off + (uint32_t)(i > b ? i : b + 1)};
		if (i == b || !known_code(c + b, i - b)) {
			size_t e = i;
			while (e < n && !is_blank(c[e]) && c[e] != ',')
				e++;
			fl_dg *g = e > b
				? fl_diag(&sc->s->diags, FL902, sp, "unknown check code '%.*s' in suppression",
					  (int)(e - b > 60 ? 60 : e - b), c + b)
				: fl_diag(&sc->s->diags, FL902, sp, "%s", "missing check code in suppression");
			if (!g)
				return FL_ENOMEM;
			i = e;
		} else if (sc->count == MAX_PER_FILE) {
			/* Every diagnostic is matched against every suppression of
			 * its file: a bound keeps a hostile file linear. */
			sc->count++;
			if (!fl_diag(&sc->s->diags, FL902, sp,
				     "more than %d suppressions in one file; the rest are ignored",
				     MAX_PER_FILE))
				return FL_ENOMEM;
		} else if (sc->count < MAX_PER_FILE) {
			supp u = {sc->src->id, sp, c + b, i - b, file_wide, line, line + 1, 0};
			if (FL_VEC_PUSH(sc->s->arena, *sc->out, u))
				return FL_ENOMEM;
			sc->count++;
		}
		size_t j = i;
		while (j < n && is_blank(c[j]))
			j++;
		if (j < n && c[j] == ',') {
			i = j + 1;
			continue;
		}
		break;
	}
	return 0;
}

/* Indentation and the column of the first key/value of a line once any
 * "- " sequence indicators are skipped. */
static size_t content_col(const char *l, size_t n)
{
	size_t i = 0;
	for (;;) {
		while (i < n && l[i] == ' ')
			i++;
		if (i < n && l[i] == '-' && (i + 1 == n || is_blank(l[i + 1]))) {
			i++;
			continue;
		}
		return i;
	}
}

/* Scans every line of one source; records directives and item lines. */
static int scan_source(scan *sc)
{
	const fl_source *src = sc->src;
	const char *d = src->data;
	char quote = 0;               /* open multi-line quoted scalar */
	int in_block = 0;             /* inside a literal/folded block scalar */
	size_t block_col = 0;         /* its parent's content column */
	long top_dash = -1;           /* column of the document's top-level '-' */
	unsigned last_content = 0;    /* last line holding YAML content */
	uint32_t next = 0;  /* start of line ln */
	for (unsigned ln = 1; ln <= src->nlines; ln++) {
		uint32_t start = next;
		uint32_t end = next = fl_source_next_line(src, start);
		while (end > start && (d[end - 1] == '\n' || d[end - 1] == '\r'))
			end--;
		const char *l = d + start;
		size_t n = end - start, ind = 0;
		while (ind < n && l[ind] == ' ')
			ind++;
		int blank = ind == n;
		if (in_block) {
			if (blank || ind > block_col)
				continue;   /* block content: '#' here is text */
			in_block = 0;
		}
		if (!quote && !blank && l[ind] != '#') {
			if (ind == 0 && n >= 3 && (!strncmp(l, "---", 3) || !strncmp(l, "...", 3)) &&
			    (n == 3 || is_blank(l[3]))) {
				top_dash = -1;
			} else if (l[ind] == '-' && (ind + 1 == n || is_blank(l[ind + 1])) &&
				   (top_dash < 0 || (size_t)top_dash == ind)) {
				top_dash = (long)ind;
				if (sc->items.n && FL_VEC_PUSH(sc->s->arena, sc->ends, last_content))
					return FL_ENOMEM;
				if (FL_VEC_PUSH(sc->s->arena, sc->items, ln))
					return FL_ENOMEM;
			}
		}
		int content = 0;
		char prev = 0;          /* previous non-blank byte outside quotes */
		for (size_t i = 0; i < n; i++) {
			char ch = l[i];
			if (quote) {
				content = 1;
				if (quote == '"' && ch == '\\') {
					i++;
				} else if (ch == quote) {
					if (quote == '\'' && i + 1 < n && l[i + 1] == '\'')
						i++;
					else
						quote = 0, prev = ch;
				}
				continue;
			}
			if (is_blank(ch))
				continue;
			int tok_start = i == 0 || is_blank(l[i - 1]) || l[i - 1] == '[' ||
					l[i - 1] == '{' || l[i - 1] == ',';
			if (ch == '#' && (i == 0 || is_blank(l[i - 1]))) {
				int rc = directive(sc, l + i + 1, n - i - 1, start + (uint32_t)i + 1, ln);
				if (rc)
					return rc;
				break;
			}
			content = 1;
			int value_start = tok_start && (prev == 0 || prev == ':' || prev == '-' ||
							prev == '?' || prev == '[' || prev == '{' ||
							prev == ',');
			if (value_start && (ch == '\'' || ch == '"')) {
				quote = ch;
			} else if (value_start && (ch == '|' || ch == '>') && prev != '[' &&
				   prev != '{' && prev != ',') {
				size_t j = i + 1;
				while (j < n && (l[j] == '+' || l[j] == '-' || (l[j] >= '0' && l[j] <= '9')))
					j++;
				if (j == n || is_blank(l[j])) {
					in_block = 1;
					block_col = content_col(l, n);
				}
			}
			prev = ch;
		}
		if (content)
			last_content = ln;
	}
	if (sc->items.n && FL_VEC_PUSH(sc->s->arena, sc->ends, last_content))
		return FL_ENOMEM;
	return 0;
}

/* Widens a line suppression to the item that starts on its line or the
 * next one. */
static void cover_item(const scan *sc, supp *u)
{
	for (size_t k = 0; k < sc->items.n; k++) {
		unsigned first = sc->items.v[k];
		if (first == u->first || first == u->first + 1) {
			unsigned last = sc->ends.v[k] > first ? sc->ends.v[k] : first;
			if (last > u->last)
				u->last = last;
			return;
		}
	}
}

static int code_matches(const supp *u, const char *code)
{
	if (u->len == 3 && (u->code[0] | 0x20) == 'a' && (u->code[1] | 0x20) == 'l' &&
	    (u->code[2] | 0x20) == 'l')
		return 1;
	return u->len <= strlen(code) && !strncmp(code, u->code, u->len);
}

/* Removes from s->diags every diagnostic an inline suppression covers and
 * adds FL901 for each suppression that covered nothing and FL902 for each
 * malformed one.  Context sources are not scanned.  Returns 0 or FL_ENOMEM. */
int fl_suppress_apply(fl_session *s)
{
	supp_vec all = {0};
	for (size_t i = 0; i < s->sources.n; i++) {
		const fl_source *src = s->sources.v[i];
		if (src->context || src->aux || !src->len || !memchr(src->data, '#', src->len))
			continue;
		/* A cheap filter: most files carry no directive at all. */
		int has = 0;
		for (const char *p = src->data; p && !has;) {
			p = memchr(p, 'f', src->len - (size_t)(p - src->data));
			if (!p)
				break;
			if ((size_t)(src->data + src->len - p) >= 11 && !strncmp(p, "falco-lint:", 11))
				has = 1;
			p++;
		}
		if (!has)
			continue;
		size_t from = all.n;
		scan sc = {.s = s, .src = src, .out = &all};
		int rc = scan_source(&sc);
		if (rc)
			return rc;
		for (size_t k = from; k < all.n; k++)
			if (!all.v[k].file_wide)
				cover_item(&sc, &all.v[k]);
	}
	if (!all.n)
		return 0;
	size_t w = 0;
	for (size_t i = 0; i < s->diags.list.n; i++) {
		fl_dg *g = s->diags.list.v[i];
		int drop = 0;
		if (g->code != FL902 && g->span.src < s->sources.n) {
			const fl_source *src = s->sources.v[g->span.src];
			unsigned line = 1, col = 1;
			if (src->len)
				fl_source_linecol(src, g->span.start, &line, &col);
			for (size_t k = 0; k < all.n; k++) {
				supp *u = &all.v[k];
				if (u->src != g->span.src || !code_matches(u, fl_checks[g->code].code))
					continue;
				if (u->file_wide || (line >= u->first && line <= u->last)) {
					u->used = 1;
					drop = 1;
				}
			}
		}
		if (!drop)
			s->diags.list.v[w++] = g;
	}
	s->diags.list.n = w;
	for (size_t k = 0; k < all.n; k++) {
		const supp *u = &all.v[k];
		if (u->used)
			continue;
		fl_dg *g = fl_diag(&s->diags, FL901, u->at, "suppression of '%.*s' matches no diagnostic",
				   (int)u->len, u->code);
		if (!g)
			return FL_ENOMEM;
		fl_diag_help(&s->diags, g, "%s", "remove the code from the comment");
	}
	return 0;
}
