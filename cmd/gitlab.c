/* gitlab.c — GitLab Code Quality report: a JSON array of findings with
 * description, check_name, a fingerprint unique per finding (GitLab merges
 * findings that share one), severity and location.path/lines.begin. */
#include <stdlib.h>

#include "out.h"

static const char *severity(fl_severity s)
{
	return s == FL_SEVERITY_ERROR ? "major" : s == FL_SEVERITY_WARNING ? "minor" : "info";
}

void render_gitlab(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		   size_t n, const render_opts *o)
{
	char(*fp)[33] = fingerprints(d, n);
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		const fl_diag_view *v = d[i];
		const char *file = v->loc.file ? v->loc.file : "";
		while (file[0] == '.' && file[1] == '/')
			file += 2;
		fputs(i ? ",\n" : "\n", f);
		fputs("{\"description\":", f);
		json_str(f, v->message);
		fputs(",\"check_name\":", f);
		json_str(f, v->code);
		fprintf(f, ",\"fingerprint\":\"%s\",\"severity\":\"%s\",\"location\":{\"path\":",
			fp ? fp[i] : "", severity(v->severity));
		json_str(f, file);
		fprintf(f, ",\"lines\":{\"begin\":%u}}}", v->loc.line ? v->loc.line : 1);
	}
	fputs(n ? "\n]\n" : "]\n", f);
	free(fp);
	(void)s;
	(void)o;
}
