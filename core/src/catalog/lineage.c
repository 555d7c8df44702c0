/* lineage.c - where an object's data comes from and where it goes: the graph
 * push source -> source, entity/source -> view -> feature -> on-demand view
 * -> feature -> service,
 * cut to what is upstream and downstream of one object. */
#include "catalog/model.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct edge {
	const fcat_object *from, *to;
} edge;

typedef struct graph {
	edge *e;
	size_t len, cap;
	bool oom;
} graph;

static void add_edge(graph *g, const fcat_object *from, const fcat_object *to)
{
	if (!fcat__grow(&g->e, &g->cap, g->len, sizeof *g->e, 64)) {
		g->oom = true;
		return;
	}
	g->e[g->len++] = (edge){from, to};
}

static void build(graph *g, const fcat_catalog *c)
{
	const fcat__objvec *v = &c->objects[FCAT_OBJ_VIEW];
	for (size_t i = 0; i < v->len; i++) {
		const fcat__view *x = (const fcat__view *)v->items[i];
		for (size_t k = 0; k < x->nentities; k++)
			add_edge(g, &x->entities[k]->base, &x->base);
		add_edge(g, &x->source->base, &x->base);
		for (size_t k = 0; k < x->nfeatures; k++)
			add_edge(g, &x->base, &x->features[k].base);
	}
	v = &c->objects[FCAT_OBJ_ON_DEMAND_VIEW];
	for (size_t i = 0; i < v->len; i++) {
		const fcat__odv *x = (const fcat__odv *)v->items[i];
		for (size_t s = 0; s < x->nsources; s++)
			for (size_t k = 0; k < x->sources[s]->nfeatures; k++)
				add_edge(g, &x->sources[s]->features[k].base, &x->base);
		for (size_t k = 0; k < x->nfeatures; k++)
			add_edge(g, &x->base, &x->features[k].base);
	}
	v = &c->objects[FCAT_OBJ_SERVICE];
	for (size_t i = 0; i < v->len; i++) {
		const fcat__service *x = (const fcat__service *)v->items[i];
		for (size_t k = 0; k < x->nfeatures; k++)
			add_edge(g, &x->features[k]->base, &x->base);
	}
	/* pushed rows go where the batch source's rows go */
	v = &c->objects[FCAT_OBJ_PUSH_SOURCE];
	for (size_t i = 0; i < v->len; i++) {
		const fcat__push_source *x = (const fcat__push_source *)v->items[i];
		add_edge(g, &x->base, &x->batch->base);
	}
}

/* Marks (in `keep`, one flag per edge) every edge reachable from root
 * forwards (downstream) or backwards (upstream). */
static void reach(const graph *g, const fcat_object *root, bool down, bool *keep)
{
	const fcat_object **queue = malloc((g->len + 1) * sizeof *queue);
	if (!queue)
		return;
	size_t head = 0, tail = 0;
	queue[tail++] = root;
	while (head < tail) {
		const fcat_object *o = queue[head++];
		for (size_t i = 0; i < g->len; i++) {
			const fcat_object *from = down ? g->e[i].from : g->e[i].to;
			const fcat_object *to = down ? g->e[i].to : g->e[i].from;
			if (from != o || keep[i])
				continue;
			keep[i] = true;
			if (tail <= g->len)
				queue[tail++] = to;
		}
	}
	free(queue);
}

static const char *label(const fcat_object *o)
{
	return o->kind == FCAT_OBJ_FEATURE ? ((const fcat__field *)o)->qualified : o->name;
}

static void id(char *buf, size_t size, const fcat_object *o)
{
	snprintf(buf, size, "%s:%s", fcat_object_kind_name(o->kind), label(o));
}

static void text_section(fcat__buf *b, const graph *g, const bool *keep, const char *title)
{
	fcat__buf_printf(b, "%s:\n", title);
	size_t n = 0;
	for (size_t i = 0; i < g->len; i++) {
		if (!keep[i])
			continue;
		fcat__buf_printf(b, "  %s %s -> %s %s\n", fcat_object_kind_name(g->e[i].from->kind),
		                 label(g->e[i].from), fcat_object_kind_name(g->e[i].to->kind),
		                 label(g->e[i].to));
		n++;
	}
	if (!n)
		fcat__buf_puts(b, "  (nothing)\n");
}

static void dot(fcat__buf *b, const graph *g, const bool *up, const bool *down,
                const fcat_object *root)
{
	static const char *const shapes[FCAT_OBJ_KIND_COUNT] = {
	    "ellipse", "cylinder", "box3d", "component", "doubleoctagon", "box", "invhouse"};
	fcat__buf_puts(b, "digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
	char a[600], z[600];
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < g->len; i++) {
			if (!up[i] && !down[i])
				continue;
			if (pass == 0) {
				const fcat_object *ends[2] = {g->e[i].from, g->e[i].to};
				for (int k = 0; k < 2; k++) {
					id(a, sizeof a, ends[k]);
					fcat__buf_printf(
					    b, "  \"%s\" [label=\"%s\\n%s\", shape=%s%s];\n", a,
					    fcat_object_kind_name(ends[k]->kind), label(ends[k]),
					    shapes[ends[k]->kind],
					    ends[k] == root ? ", style=bold, color=blue" : "");
				}
			} else {
				id(a, sizeof a, g->e[i].from);
				id(z, sizeof z, g->e[i].to);
				fcat__buf_printf(b, "  \"%s\" -> \"%s\";\n", a, z);
			}
		}
	}
	id(a, sizeof a, root); /* also when it has no edges at all */
	fcat__buf_printf(b, "  \"%s\" [label=\"%s\\n%s\", shape=%s, style=bold, color=blue];\n}\n",
	                 a, fcat_object_kind_name(root->kind), label(root), shapes[root->kind]);
}

static char *json_out(const graph *g, const bool *up, const bool *down, const fcat_object *root)
{
	json_t *j = json_object(), *nodes = json_object(), *edges = json_array();
	char a[600], z[600];
	id(a, sizeof a, root);
	json_object_set_new(j, "root", json_string(a));
	for (size_t i = 0; i < g->len; i++) {
		if (!up[i] && !down[i])
			continue;
		const fcat_object *ends[2] = {g->e[i].from, g->e[i].to};
		for (int k = 0; k < 2; k++) {
			id(a, sizeof a, ends[k]);
			json_t *n = json_object();
			json_object_set_new(n, "kind",
			                    json_string(fcat_object_kind_name(ends[k]->kind)));
			json_object_set_new(n, "name", json_string(label(ends[k])));
			json_object_set_new(nodes, a, n);
		}
		id(a, sizeof a, g->e[i].from);
		id(z, sizeof z, g->e[i].to);
		json_t *e = json_object();
		json_object_set_new(e, "from", json_string(a));
		json_object_set_new(e, "to", json_string(z));
		json_object_set_new(e, "direction", json_string(up[i] ? "upstream" : "downstream"));
		json_array_append_new(edges, e);
	}
	json_object_set_new(j, "nodes", nodes);
	json_object_set_new(j, "edges", edges);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

int fcat__lineage(char **out, const fcat_catalog *c, const char *name, fcat_lineage_format format,
                  bool (*visible)(const void *ctx, const fcat_object *o), const void *ctx)
{
	*out = NULL;
	const fcat_object *root;
	int rc = fcat_catalog_lookup(&root, c, name);
	if (rc)
		return rc;
	graph g = {0};
	build(&g, c);
	bool *up = calloc(g.len + 1, sizeof *up), *down = calloc(g.len + 1, sizeof *down);
	if (g.oom || !up || !down) {
		free(g.e);
		free(up);
		free(down);
		return fcat__error_oom();
	}
	if (visible) { /* what the reader may not describe is not shown */
		size_t kept = 0;
		for (size_t i = 0; i < g.len; i++)
			if (visible(ctx, g.e[i].from) && visible(ctx, g.e[i].to))
				g.e[kept++] = g.e[i];
		g.len = kept;
	}
	reach(&g, root, false, up);
	reach(&g, root, true, down);
	fcat__buf b = {0};
	switch (format) {
	case FCAT_LINEAGE_JSON: *out = json_out(&g, up, down, root); break;
	case FCAT_LINEAGE_DOT: dot(&b, &g, up, down, root); break;
	default:
		fcat__buf_printf(&b, "%s %s\n", fcat_object_kind_name(root->kind), label(root));
		text_section(&b, &g, up, "upstream");
		text_section(&b, &g, down, "downstream");
	}
	if (format != FCAT_LINEAGE_JSON)
		*out = fcat__buf_detach(&b);
	free(g.e);
	free(up);
	free(down);
	return *out ? 0 : fcat__error_oom();
}

int fcat_lineage(char **out, const fcat_catalog *c, const char *name, fcat_lineage_format format)
{
	return fcat__lineage(out, c, name, format, NULL, NULL);
}
