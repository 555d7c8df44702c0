/* yaml_tree.c - a YAML document loaded into a small tree that remembers the
 * line and column of every node, for messages that say where. */
#include "config/yaml_tree.h"

#include "util/error.h"

#include <string.h>
#include <yaml.h>

typedef struct {
	yaml_document_t *doc;
	fcat__arena *arena;
	const char *name;
	int depth;
	size_t nodes, max_nodes; /* made so far; the most the document may make */
} loader;

/* An alias is copied where it is used, so nested aliases multiply: a few
 * hundred bytes ("a1: &a1 [*a0, *a0, ...]" nine deep) would make 10^9
 * nodes. The tree may have 16 times the document's own nodes, and 10000
 * more: room for any reuse of an anchor, not for that. */
#define NODES_PER_DOC_NODE 16
#define NODES_EXTRA        10000

static int convert(fcat__ynode **out, loader *L, yaml_node_t *n)
{
	if (++L->depth > 64)
		return fcat__error(FCAT_EINVALID, "%s:%zu:%zu: nesting too deep", L->name,
		                   n->start_mark.line + 1, n->start_mark.column + 1);
	if (++L->nodes > L->max_nodes)
		return fcat__error(FCAT_EINVALID,
		                   "%s:%zu:%zu: aliases expand the document to more than %zu "
		                   "values",
		                   L->name, n->start_mark.line + 1, n->start_mark.column + 1,
		                   L->max_nodes);
	fcat__ynode *y = fcat__arena_alloc(L->arena, sizeof *y);
	if (!y)
		return fcat__error_oom();
	y->line = (int)n->start_mark.line + 1;
	y->col = (int)n->start_mark.column + 1;
	int rc = 0;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		y->kind = FCAT_Y_SCALAR;
		y->scalar = fcat__arena_strndup(L->arena, (const char *)n->data.scalar.value,
		                                n->data.scalar.length);
		if (!y->scalar)
			rc = fcat__error_oom();
		break;
	case YAML_SEQUENCE_NODE: {
		y->kind = FCAT_Y_SEQ;
		size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
		y->items = fcat__arena_alloc(L->arena, (count + 1) * sizeof *y->items);
		if (!y->items)
			return fcat__error_oom();
		for (size_t i = 0; i < count && rc == 0; i++) {
			yaml_node_t *c =
			    yaml_document_get_node(L->doc, n->data.sequence.items.start[i]);
			rc = convert(&y->items[y->len++], L, c);
		}
		break;
	}
	case YAML_MAPPING_NODE: {
		y->kind = FCAT_Y_MAP;
		size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
		y->keys = fcat__arena_alloc(L->arena, (count + 1) * sizeof *y->keys);
		y->items = fcat__arena_alloc(L->arena, (count + 1) * sizeof *y->items);
		if (!y->keys || !y->items)
			return fcat__error_oom();
		for (size_t i = 0; i < count && rc == 0; i++) {
			yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
			yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
			if (k->type != YAML_SCALAR_NODE)
				return fcat__error(
				    FCAT_EINVALID, "%s:%zu:%zu: a map key must be a plain name",
				    L->name, k->start_mark.line + 1, k->start_mark.column + 1);
			rc = convert(&y->keys[y->len], L, k);
			if (rc == 0 && fcat__ymap_get(y, y->keys[y->len]->scalar))
				return fcat__error(FCAT_EINVALID,
				                   "%s:%d:%d: key '%s' appears twice", L->name,
				                   y->keys[y->len]->line, y->keys[y->len]->col,
				                   y->keys[y->len]->scalar);
			if (rc == 0)
				rc = convert(&y->items[y->len], L,
				             yaml_document_get_node(L->doc, p->value));
			y->len++;
		}
		break;
	}
	default: rc = fcat__error(FCAT_EINVALID, "%s:%d:%d: empty node", L->name, y->line, y->col);
	}
	L->depth--;
	*out = y;
	return rc;
}

int fcat__yaml_load(fcat__ynode **out, fcat__arena *arena, const char *name, const char *text,
                    size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return fcat__error_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		int rc =
		    fcat__error(FCAT_EINVALID, "%s:%zu:%zu: %s%s%s", name,
		                parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		                parser.problem ? parser.problem : "YAML syntax error",
		                parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return rc;
	}
	int rc = 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		fcat__ynode *y = fcat__arena_alloc(arena, sizeof *y);
		if (!y)
			rc = fcat__error_oom();
		else {
			y->kind = FCAT_Y_MAP;
			y->line = y->col = 1;
			*out = y;
		}
	} else {
		size_t ndoc = (size_t)(doc.nodes.top - doc.nodes.start);
		loader L = {&doc, arena, name, 0, 0, ndoc * NODES_PER_DOC_NODE + NODES_EXTRA};
		rc = convert(out, &L, root);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

const fcat__ynode *fcat__ymap_get(const fcat__ynode *map, const char *key)
{
	if (!map || map->kind != FCAT_Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->len; i++)
		if (map->keys[i] && strcmp(map->keys[i]->scalar, key) == 0)
			return map->items[i];
	return NULL;
}

const char *fcat__ykind_name(fcat__ykind kind)
{
	switch (kind) {
	case FCAT_Y_SCALAR: return "a single value";
	case FCAT_Y_MAP: return "a map";
	case FCAT_Y_SEQ: return "a list";
	}
	return "?";
}
