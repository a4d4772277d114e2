/* sarif.c — SARIF 2.1.0 output, shaped for GitHub code scanning: one run,
 * every check of the catalogue as a rule (so results can point at it by
 * index), relative artifact URIs against %SRCROOT%, 1-based regions with an
 * exclusive end column, and stable partial fingerprints. */
#include <stdlib.h>
#include <string.h>

#include "out.h"

static const char *level(fl_severity s)
{
	return s == FL_SEVERITY_ERROR ? "error" : s == FL_SEVERITY_WARNING ? "warning" : "note";
}

/* Percent-encodes a path for a URI: unreserved characters and '/' stay. */
static void uri_path(FILE *f, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)p; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._~/", *c))
			fputc(*c, f);
		else
			fprintf(f, "%%%c%c", hex[*c >> 4], hex[*c & 15]);
	}
}

static void artifact(FILE *f, const char *file)
{
	while (file[0] == '.' && file[1] == '/')
		file += 2;
	fputs("{\"uri\":\"", f);
	if (file[0] == '/') {
		fputs("file://", f);
		uri_path(f, file);
		fputs("\"}", f);
	} else {
		uri_path(f, file);
		fputs("\",\"uriBaseId\":\"%SRCROOT%\"}", f);
	}
}

/* A SARIF location; id < 0: none (a result's own location). */
static void location(FILE *f, const fl_location *l, const char *message, long id)
{
	fputc('{', f);
	if (id >= 0)
		fprintf(f, "\"id\":%ld,", id);
	fputs("\"physicalLocation\":{\"artifactLocation\":", f);
	artifact(f, l->file);
	if (l->line) {
		unsigned el = l->end_line >= l->line ? l->end_line : l->line;
		unsigned ec = l->end_column ? l->end_column : l->column;
		if (el == l->line && ec < l->column)
			ec = l->column;
		fprintf(f, ",\"region\":{\"startLine\":%u,\"startColumn\":%u,"
			   "\"endLine\":%u,\"endColumn\":%u}",
			l->line, l->column ? l->column : 1, el, ec + 1);
	}
	fputc('}', f);
	if (message) {
		fputs(",\"message\":{\"text\":", f);
		json_str(f, message);
		fputc('}', f);
	}
	fputc('}', f);
}

/* The first paragraph of an explain text: SARIF's fullDescription. */
static void first_paragraph(FILE *f, const char *s)
{
	const char *e = strstr(s, "\n\n");
	size_t n = e ? (size_t)(e - s) : strlen(s);
	char *p = malloc(n + 1);
	if (!p) {
		json_str(f, s);
		return;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = s[i] == '\n' ? ' ' : s[i];
	p[n] = 0;
	json_str(f, p);
	free(p);
}

static void rules(FILE *f)
{
	for (size_t i = 0; i < fl_check_count(); i++) {
		const fl_check_view *c = fl_check_at(i);
		fputs(i ? ",\n" : "\n", f);
		fputs("{\"id\":", f);
		json_str(f, c->code);
		fputs(",\"name\":", f);
		json_str(f, c->name);
		fputs(",\"shortDescription\":{\"text\":", f);
		json_str(f, c->summary);
		fputs("},\"fullDescription\":{\"text\":", f);
		first_paragraph(f, c->explain);
		fputs("},\"help\":{\"text\":", f);
		json_str(f, c->explain);
		fprintf(f, "},\"defaultConfiguration\":{\"level\":\"%s\",\"enabled\":%s}",
			level(c->severity), c->on_by_default ? "true" : "false");
		fputs(",\"properties\":{\"falcoCode\":", f);
		json_str(f, c->falco_code);
		fputs("}}", f);
	}
}

static size_t rule_index(const char *code)
{
	for (size_t i = 0; i < fl_check_count(); i++)
		if (!strcmp(fl_check_at(i)->code, code))
			return i;
	return 0;
}

void render_sarif(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		  size_t n, const render_opts *o)
{
	char(*fp)[33] = fingerprints(d, n);
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
	      "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
	      "\"name\":\"falco-lint\",\"version\":\"" FL_VERSION "\","
	      "\"semanticVersion\":\"" FL_VERSION "\","
	      "\"rules\":[", f);
	rules(f);
	fputs("]}},\n\"columnKind\":\"unicodeCodePoints\",\"results\":[", f);
	for (size_t i = 0; i < n; i++) {
		const fl_diag_view *v = d[i];
		fputs(i ? ",\n" : "\n", f);
		fputs("{\"ruleId\":", f);
		json_str(f, v->code);
		fprintf(f, ",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":{\"text\":",
			rule_index(v->code), level(v->severity));
		if (v->help) {
			size_t len = strlen(v->message) + strlen(v->help) + 16;
			char *m = malloc(len);
			if (m) {
				snprintf(m, len, "%s\nhelp: %s", v->message, v->help);
				json_str(f, m);
				free(m);
			} else {
				json_str(f, v->message);
			}
		} else {
			json_str(f, v->message);
		}
		fputs("},\"locations\":[", f);
		if (v->loc.file)
			location(f, &v->loc, NULL, -1);
		fputc(']', f);
		size_t nrel = 0;
		for (size_t k = 0; k < v->nnotes; k++) {
			if (!v->notes[k].loc.file)
				continue;
			fputs(nrel ? "," : ",\"relatedLocations\":[", f);
			location(f, &v->notes[k].loc, v->notes[k].message, (long)nrel);
			nrel++;
		}
		if (nrel)
			fputc(']', f);
		if (fp)
			fprintf(f, ",\"partialFingerprints\":{\"falcoLint/v1\":\"%s\"}", fp[i]);
		if (v->item_kind || v->scenario) {
			fputs(",\"properties\":{", f);
			if (v->item_kind) {
				fputs("\"itemKind\":", f);
				json_str(f, v->item_kind);
				fputs(",\"itemName\":", f);
				json_str(f, v->item_name);
			}
			if (v->scenario) {
				fputs(v->item_kind ? ",\"scenario\":" : "\"scenario\":", f);
				json_str(f, v->scenario);
				fputs(",\"variant\":", f);
				json_str(f, v->variant);
			}
			fputc('}', f);
		}
		fputc('}', f);
	}
	fputs(n ? "\n]}]}\n" : "]}]}\n", f);
	free(fp);
	(void)s;
	(void)o;
}
