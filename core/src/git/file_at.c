/* file_at.c - one file of the feature repo as it is in a commit (fcat.yaml,
 * whose committed policy settings govern the applied version). */
#include "git/repo.h"

#include "util/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fcat__git_read_file(fcat__git *g, const git_oid *commit, const char *path, char **text,
                        size_t *len)
{
	*text = NULL;
	*len = 0;
	git_tree_entry *entry;
	git_blob *blob = NULL;
	int rc = fcat__git_entry_at(&entry, g, commit, path);
	if (rc)
		return rc;
	char id[GIT_OID_HEXSZ + 1];
	git_oid_tostr(id, sizeof id, commit);
	if (!entry || git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		rc = fcat__error(FCAT_ENOTFOUND, "%s is not committed in %.12s", path, id);
	else if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(entry)) < 0)
		rc = fcat__git_error("reading a file");
	if (rc == 0) {
		size_t n = (size_t)git_blob_rawsize(blob);
		*text = malloc(n + 1);
		if (!*text) {
			rc = fcat__error_oom();
		} else {
			memcpy(*text, git_blob_rawcontent(blob), n);
			(*text)[n] = '\0';
			*len = n;
		}
	}
	git_blob_free(blob);
	git_tree_entry_free(entry);
	return rc;
}

int fcat__git_config_at(fcat_config **out, fcat__git *g, const git_oid *commit)
{
	*out = NULL;
	char *text;
	size_t len;
	int rc = fcat__git_read_file(g, commit, "fcat.yaml", &text, &len);
	if (rc)
		return rc;
	char id[GIT_OID_HEXSZ + 1], name[64];
	git_oid_tostr(id, sizeof id, commit);
	snprintf(name, sizeof name, "fcat.yaml@%.12s", id);
	rc = fcat_config_parse(out, name, text, len);
	free(text);
	return rc;
}
