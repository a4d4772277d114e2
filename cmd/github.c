/* github.c — GitHub Actions workflow commands: one
 * `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message` line
 * per diagnostic, which the runner turns into annotations on the diff.
 * Values are escaped as the runner expects, or a '%', ':' or newline in a
 * message would corrupt or cut the annotation. */
#include <string.h>

#include "out.h"

void github_escape(FILE *f, const char *s, int property)
{
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '%': fputs("%25", f); break;
		case '\r': fputs("%0D", f); break;
		case '\n': fputs("%0A", f); break;
		case ':':
			if (property)
				fputs("%3A", f);
			else
				fputc(':', f);
			break;
		case ',':
			if (property)
				fputs("%2C", f);
			else
				fputc(',', f);
			break;
		default: fputc(*p, f);
		}
	}
}

static const char *command(fl_severity s)
{
	return s == FL_SEVERITY_ERROR ? "error" : s == FL_SEVERITY_WARNING ? "warning" : "notice";
}

void render_github(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		   size_t n, const render_opts *o)
{
	for (size_t i = 0; i < n; i++) {
		const fl_diag_view *v = d[i];
		const fl_location *l = &v->loc;
		fprintf(f, "::%s ", command(v->severity));
		if (l->file) {
			const char *file = l->file;
			while (file[0] == '.' && file[1] == '/')
				file += 2;
			fputs("file=", f);
			github_escape(f, file, 1);
			if (l->line) {
				/* GitHub rejects column ranges that span lines */
				int one = l->end_line <= l->line;
				fprintf(f, ",line=%u", l->line);
				if (one)
					fprintf(f, ",col=%u", l->column);
				fprintf(f, ",endLine=%u", one ? l->line : l->end_line);
				if (one)
					fprintf(f, ",endColumn=%u",
						l->end_column >= l->column ? l->end_column : l->column);
			}
			fputc(',', f);
		}
		fputs("title=", f);
		github_escape(f, v->code, 1);
		fputc(' ', f);
		github_escape(f, v->name, 1);
		fputs("::", f);
		github_escape(f, v->message, 0);
		for (size_t k = 0; k < v->nnotes; k++) {
			const fl_note_view *nv = &v->notes[k];
			fputs("%0Anote: ", f);
			if (nv->loc.file && nv->loc.line) {
				char pos[64];
				snprintf(pos, sizeof pos, ":%u:%u: ", nv->loc.line, nv->loc.column);
				github_escape(f, nv->loc.file, 0);
				fputs(pos, f);
			}
			github_escape(f, nv->message, 0);
		}
		if (v->help) {
			fputs("%0Ahelp: ", f);
			github_escape(f, v->help, 0);
		}
		fputc('\n', f);
	}
	(void)s;
	(void)o;
}
