/* render.c — text (with the source line and a caret under the span) and
 * JSON (versioned: "version":1) renderings of diagnostics. */
#include "out.h"

#include <string.h>

const char *sev_name(fl_severity s)
{
	return s == FL_SEVERITY_ERROR ? "error" : s == FL_SEVERITY_WARNING ? "warning" : "info";
}

static const char *sev_color(fl_severity s)
{
	return s == FL_SEVERITY_ERROR ? "\033[1;31m" : s == FL_SEVERITY_WARNING ? "\033[1;33m" : "\033[1;36m";
}

/* The last conversion made on a line, to walk on from: diagnostics come in
 * position order, so 100,000 of them on one long line stay linear. */
struct colcache {
	const char *line;
	size_t len, i;
	unsigned cols;
};

/* Number of bytes of the first `cols` code points of line[0..len). */
static size_t cols_to_bytes(const char *line, size_t len, unsigned cols,
			    struct colcache *cc)
{
	size_t i = 0;
	unsigned want = cols;
	if (cc->line == line && cc->len == len && cc->cols <= cols) {
		i = cc->i;
		cols -= cc->cols;
	}
	while (cols > 0 && i < len) {
		i++;
		while (i < len && ((unsigned char)line[i] & 0xC0) == 0x80)
			i++;
		cols--;
	}
	*cc = (struct colcache){line, len, i, want};
	return i;
}

static void print_snippet(FILE *f, const fl_session *s, const fl_location *l,
			  const render_opts *o, struct colcache cc[3])
{
	size_t len;
	const char *line = fl_session_source_line(s, l->source, l->line, &len);
	if (!line || l->line == 0 || len == 0)
		return;
	/* Very long lines (minified or hostile files) are cut around the span. */
	size_t start = cols_to_bytes(line, len, l->column - 1, &cc[0]);
	size_t off = 0;
	if (len > 200 && start > 80)
		off = cols_to_bytes(line, len, l->column - 1 - 60, &cc[1]);
	size_t show = len - off > 200 ? 200 : len - off;
	fprintf(f, " %5u | %s", l->line, off ? "..." : "");
	for (size_t i = 0; i < show; i++) {
		unsigned char c = (unsigned char)line[off + i];
		fputc(c < 32 && c != '\t' ? '?' : c, f);
	}
	fprintf(f, "%s\n", off + show < len ? "..." : "");
	fprintf(f, "       | %s", off ? "   " : "");
	for (size_t i = off; i < start && i - off < show; i++)
		if (((unsigned char)line[i] & 0xC0) != 0x80)
			fputc(line[i] == '\t' ? '\t' : ' ', f);
	size_t end = l->end_line == l->line ? cols_to_bytes(line, len, l->end_column, &cc[2]) : len;
	if (end <= start)
		end = start + 1;
	if (o->color)
		fputs("\033[1;32m", f);
	fputc('^', f);
	for (size_t i = start + 1; i < end && i - off < show; i++)
		if (((unsigned char)line[i] & 0xC0) != 0x80)
			fputc('~', f);
	if (o->color)
		fputs("\033[0m", f);
	fputc('\n', f);
}

/* A message on one line: names taken from the input may hold newlines or
 * escape sequences, which would break the line-per-diagnostic layout or
 * drive the terminal. */
static void put_line(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p < 32 && *p != '\t')
			fputc('?', f);
		else
			fputc(*p, f);
	}
}

static void print_loc(FILE *f, const fl_location *l)
{
	if (!l->file)
		return;
	if (l->line)
		fprintf(f, "%s:%u:%u: ", l->file, l->line, l->column);
	else
		fprintf(f, "%s: ", l->file);
}

void render_text(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		 size_t n, const render_opts *o)
{
	size_t counts[3] = {0};
	struct colcache ccd[3] = {{0}}, ccn[3] = {{0}};  /* diagnostics, notes */
	for (size_t i = 0; i < n; i++) {
		const fl_diag_view *v = d[i];
		counts[v->severity]++;
		if (o->color)
			fputs("\033[1m", f);
		print_loc(f, &v->loc);
		if (o->color)
			fprintf(f, "\033[0m%s%s:\033[0m \033[1m", sev_color(v->severity),
				sev_name(v->severity));
		else
			fprintf(f, "%s: ", sev_name(v->severity));
		put_line(f, v->message);
		fprintf(f, "%s [%s]\n", o->color ? "\033[0m" : "", v->code);
		print_snippet(f, s, &v->loc, o, ccd);
		for (size_t k = 0; k < v->nnotes; k++) {
			const fl_note_view *nv = &v->notes[k];
			print_loc(f, &nv->loc);
			fprintf(f, "%snote:%s %s\n", o->color ? "\033[1;36m" : "",
				o->color ? "\033[0m" : "", nv->message);
			if (nv->loc.file && nv->loc.line)
				print_snippet(f, s, &nv->loc, o, ccn);
		}
		if (v->help)
			fprintf(f, "  = help: %s\n", v->help);
	}
	if (o->statistics && n) {
		/* counts per code, in code order */
		for (size_t c = 0; c < fl_check_count(); c++) {
			const fl_check_view *cv = fl_check_at(c);
			size_t k = 0;
			for (size_t i = 0; i < n; i++)
				if (strcmp(d[i]->code, cv->code) == 0)
					k++;
			if (k)
				fprintf(f, "%6zu  %s  %s\n", k, cv->code, cv->name);
		}
	}
	if (!o->quiet && n)
		fprintf(f, "%zu error%s, %zu warning%s, %zu info\n", counts[0],
			counts[0] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s",
			counts[2]);
}

void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void json_loc(FILE *f, const fl_location *l)
{
	fputs("\"file\":", f);
	json_str(f, l->file);
	if (l->line)
		fprintf(f, ",\"line\":%u,\"column\":%u,\"end_line\":%u,\"end_column\":%u",
			l->line, l->column, l->end_line, l->end_column);
	else
		fputs(",\"line\":null,\"column\":null,\"end_line\":null,\"end_column\":null", f);
}

void render_json(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		 size_t n, const render_opts *o)
{
	size_t counts[3] = {0};
	fputs("{\"version\":1,\"tool\":{\"name\":\"falco-lint\",\"version\":\"" FL_VERSION "\"},\n\"diagnostics\":[", f);
	for (size_t i = 0; i < n; i++) {
		const fl_diag_view *v = d[i];
		counts[v->severity]++;
		fputs(i ? ",\n" : "\n", f);
		fputs("{\"code\":", f);
		json_str(f, v->code);
		fputs(",\"name\":", f);
		json_str(f, v->name);
		fprintf(f, ",\"severity\":\"%s\",\"message\":", sev_name(v->severity));
		json_str(f, v->message);
		fputc(',', f);
		json_loc(f, &v->loc);
		fputs(",\"falco_code\":", f);
		json_str(f, v->falco_code);
		fputs(",\"item\":", f);
		if (v->item_kind) {
			fputs("{\"kind\":", f);
			json_str(f, v->item_kind);
			fputs(",\"name\":", f);
			json_str(f, v->item_name);
			fputc('}', f);
		} else {
			fputs("null", f);
		}
		if (v->scenario) {
			fputs(",\"scenario\":", f);
			json_str(f, v->scenario);
			fputs(",\"variant\":", f);
			json_str(f, v->variant);
		}
		fputs(",\"help\":", f);
		json_str(f, v->help);
		fputs(",\"notes\":[", f);
		for (size_t k = 0; k < v->nnotes; k++) {
			fputs(k ? ",{" : "{", f);
			json_loc(f, &v->notes[k].loc);
			fputs(",\"message\":", f);
			json_str(f, v->notes[k].message);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fprintf(f, "%s],\n\"summary\":{\"errors\":%zu,\"warnings\":%zu,\"info\":%zu}}\n",
		n ? "\n" : "", counts[0], counts[1], counts[2]);
	(void)s;
	(void)o;
}
