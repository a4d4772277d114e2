/* yamlparse.c — the benchmark's baseline: read a file into memory and pull
 * every libyaml event from it, nothing else.  falco-lint's whole-process
 * time on the same bytes is compared against this one's. */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: yamlparse FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fprintf(stderr, "yamlparse: out of memory\n");
			return 2;
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		unsigned char *nb = realloc(buf, cap * 2);
		if (!nb)
			free(buf);
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	yaml_parser_t p;
	yaml_event_t ev;
	unsigned long events = 0;
	int done = 0;
	if (!yaml_parser_initialize(&p))
		return 2;
	yaml_parser_set_input_string(&p, buf, n);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "yamlparse: %s\n", p.problem ? p.problem : "error");
			return 1;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		events++;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	free(buf);
	printf("%lu events\n", events);
	return 0;
}
