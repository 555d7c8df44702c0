/* table.h - printing aligned text tables for people. */
#ifndef FCAT_CLI_TABLE_H
#define FCAT_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef struct cli_table cli_table;

/* A table with `ncols` columns and the given header names. */
cli_table *cli_table_new(size_t ncols, const char *const *header);
/* Adds a row; the cells are copied. */
void cli_table_row(cli_table *t, const char *const *cells);
/* Prints with columns padded to their widest cell (the last one is not
 * padded) and frees the table. */
void cli_table_print(cli_table *t, FILE *f);

#endif
