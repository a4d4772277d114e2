/* falcojson.c — the JSON that `falco -V` prints (falco_load_results), so
 * tools written for Falco's own validation output read falco-lint's
 * unchanged.  Keys are sorted as Falco's JSON library sorts them; only
 * diagnostics that Falco itself raises (those with a Falco code) appear;
 * positions are 0-based like Falco's.  Falco stops a file at its first
 * error; falco-lint lists them all. */
#include <stdlib.h>
#include <string.h>

#include "out.h"

/* What Falco calls each code: errors carry the short label, warnings the
 * longer description (as upstream prints them); our wording. */
static const struct {
	const char *code, *desc;
} codedesc[] = {
	{"LOAD_ERR_FILE_READ", "File read error"},
	{"LOAD_ERR_YAML_PARSE", "YAML parse error"},
	{"LOAD_ERR_YAML_VALIDATE", "Error validating internal structure of YAML file"},
	{"LOAD_ERR_COMPILE_CONDITION", "Error compiling condition"},
	{"LOAD_ERR_COMPILE_OUTPUT", "Error compiling output"},
	{"LOAD_ERR_VALIDATE", "Error validating rule/macro/list/exception objects"},
	{"LOAD_ERR_EXTENSION", "Error in extension item"},
	{"LOAD_UNKNOWN_SOURCE", "A rule uses an event source that no loaded plugin or driver provides; the rule is ignored."},
	{"LOAD_UNSAFE_NA_CHECK", "A condition compares a field with <NA>, which is unsafe; use the 'exists' operator instead."},
	{"LOAD_NO_EVTTYPE", "A rule condition matches too many event types, which costs performance; restrict evt.type."},
	{"LOAD_UNKNOWN_FILTER", "A condition or output uses an unknown field or event type; skip-if-unknown-filter turned the error into this warning."},
	{"LOAD_UNUSED_MACRO", "A macro is defined but no macro or rule uses it."},
	{"LOAD_UNUSED_LIST", "A list is defined but no list, macro or rule uses it."},
	{"LOAD_UNKNOWN_ITEM", "An unknown top-level item is in the rules content; it is ignored."},
	{"LOAD_DEPRECATED_ITEM", "A list, macro or rule uses a deprecated item."},
	{"LOAD_WARNING_EXTENSION", "An extension item has a warning."},
	{"LOAD_APPEND_NO_VALUES", "An overriding or appending item has no values; it is ignored."},
	{"LOAD_EXCEPTION_NAME_NOT_UNIQUE", "Several exceptions of one item have the same name."},
	{"LOAD_INVALID_MACRO_NAME", "A macro name is not a valid identifier."},
	{"LOAD_INVALID_LIST_NAME", "A list name contains characters a list name may not contain."},
	{"LOAD_COMPILE_CONDITION", "A condition compiled with a warning."},
	{"LOAD_UNKNOWN_KEY", "An item has a key its kind does not know; the key is ignored."},
};

static const char *desc_of(const char *code)
{
	for (size_t i = 0; i < sizeof codedesc / sizeof codedesc[0]; i++)
		if (!strcmp(codedesc[i].code, code))
			return codedesc[i].desc;
	return "";
}

static void position(FILE *f, const char *file, unsigned line, unsigned col, size_t off)
{
	fprintf(f, "{\"column\":%u,\"line\":%u,\"name\":", col, line);
	json_str(f, file);
	fprintf(f, ",\"offset\":%zu}", off);
}

/* Byte offset of a 1-based line/column: the line pointers all point into
 * one buffer, so their difference is the offset of the line. */
static size_t offset_of(const fl_session *s, const fl_location *l, size_t *linelen,
			const char **linep, size_t *colbytes)
{
	size_t len0, len;
	const char *first = fl_session_source_line(s, l->source, 1, &len0);
	const char *line = fl_session_source_line(s, l->source, l->line, &len);
	*linep = line;
	*linelen = line ? len : 0;
	*colbytes = 0;
	if (!first || !line)
		return 0;
	size_t i = 0;
	for (unsigned c = 1; c < l->column && i < len; c++) {
		i++;
		while (i < len && ((unsigned char)line[i] & 0xC0) == 0x80)
			i++;
	}
	*colbytes = i;
	return (size_t)(line - first) + i;
}

/* The source line (at most 80 bytes each side of the position) and a caret,
 * as Falco renders its snippet. */
static void snippet(FILE *f, const char *line, size_t len, size_t col)
{
	size_t from = col > 80 ? col - 80 : 0, to = len - col > 80 ? col + 80 : len;
	size_t caret = col - from + (from ? 3 : 0);
	size_t n = (from ? 3 : 0) + (to - from) + (to < len ? 3 : 0) + 1 + caret + 3;
	char *buf = malloc(n);
	if (!buf) {
		json_str(f, "");
		return;
	}
	size_t k = 0;
	if (from) {
		memcpy(buf, "...", 3);
		k = 3;
	}
	memcpy(buf + k, line + from, to - from);
	k += to - from;
	if (to < len) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k++] = '\n';
	memset(buf + k, ' ', caret);
	k += caret;
	buf[k++] = '^';
	buf[k++] = '\n';
	buf[k] = 0;
	json_str(f, buf);
	free(buf);
}

static void entry(FILE *f, const fl_session *s, const fl_diag_view *v)
{
	fputs("{\"code\":", f);
	json_str(f, v->falco_code);
	fputs(",\"codedesc\":", f);
	json_str(f, desc_of(v->falco_code));
	fputs(",\"context\":{\"locations\":[{\"item_name\":\"\",\"item_type\":\"rules content\","
	      "\"position\":", f);
	position(f, v->loc.file, 0, 0, 0);
	fputc('}', f);
	size_t linelen = 0, col = 0;
	const char *line = NULL;
	if (v->loc.line) {
		size_t off = offset_of(s, &v->loc, &linelen, &line, &col);
		fputs(",{\"item_name\":", f);
		json_str(f, v->item_name ? v->item_name : "");
		fputs(",\"item_type\":", f);
		json_str(f, v->item_kind ? v->item_kind : "rules content item");
		fputs(",\"position\":", f);
		position(f, v->loc.file, v->loc.line - 1, v->loc.column ? v->loc.column - 1 : 0, off);
		fputc('}', f);
	}
	fputs("],\"snippet\":", f);
	/* Falco moves a position past the end of the text (a YAML error at
	 * the end of the file) back to the last character. */
	for (unsigned back = v->loc.line; line && linelen == 0 && back > 1;) {
		size_t len;
		const char *prev = fl_session_source_line(s, v->loc.source, --back, &len);
		if (!prev)
			break;
		if (len) {
			line = prev;
			linelen = len;
			col = len - 1;
		}
	}
	if (line)
		snippet(f, line, linelen, col);
	else
		json_str(f, "");
	fputs("},\"message\":", f);
	json_str(f, v->message);
	fputc('}', f);
}

void render_falco(FILE *f, const fl_session *s, const fl_diag_view *const *d,
		  size_t n, const render_opts *o)
{
	size_t nsrc = fl_session_nsources(s);
	fputs("{\"falco_load_results\":[", f);
	int firstfile = 1;
	for (size_t i = 0; i < nsrc; i++) {
		const char *name = fl_session_source_path(s, (unsigned)i);
		/* one result per file name (embedded texts report in their file) */
		int dup = 0;
		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(fl_session_source_path(s, (unsigned)j), name);
		/* built-in texts (scenario catalogue) are not files Falco loads */
		if (dup || !strncmp(name, "<builtin>", 9))
			continue;
		int ok = 1;
		for (size_t k = 0; k < n; k++)
			if (d[k]->falco_code && d[k]->loc.file && !strcmp(d[k]->loc.file, name) &&
			    d[k]->severity == FL_SEVERITY_ERROR)
				ok = 0;
		fputs(firstfile ? "{" : ",{", f);
		firstfile = 0;
		for (int pass = 0; pass < 2; pass++) {
			fputs(pass ? "],\"name\":" : "\"errors\":[", f);
			if (pass) {
				json_str(f, name);
				fprintf(f, ",\"successful\":%s,\"warnings\":[", ok ? "true" : "false");
			}
			int first = 1;
			for (size_t k = 0; k < n; k++) {
				const fl_diag_view *v = d[k];
				if (!v->falco_code || !v->loc.file || strcmp(v->loc.file, name) ||
				    (v->severity == FL_SEVERITY_ERROR) != !pass)
					continue;
				if (!first)
					fputc(',', f);
				first = 0;
				entry(f, s, v);
			}
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
	(void)o;
}
