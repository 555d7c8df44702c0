/* replies.c - per-thread reply slots: read hands out pointers into hiredis
 * replies, which live until the same thread's next read on the same store,
 * or close. A slot belongs to its thread (which alone frees it) and is
 * listed by its store (which empties it at close). Lists change under one
 * lock, taken only when a thread first reads a store, at close and at
 * thread exit; a read finds its slot by the store's unique generation. */
#include "redis_store.h"

#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static int key_err;
static uint64_t next_gen = 1;

void rs_slot_release(rs_slot *slot)
{
	for (size_t i = 0; i < slot->n; i++)
		freeReplyObject(slot->r[i]);
	slot->n = 0;
}

int rs_slot_reserve(rs_slot *slot, size_t n)
{
	if (slot->n + n <= slot->cap)
		return 0;
	size_t cap = slot->cap ? slot->cap : 16;
	while (cap < slot->n + n)
		cap *= 2;
	redisReply **r = realloc(slot->r, cap * sizeof *r);
	if (!r)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	slot->r = r;
	slot->cap = cap;
	return 0;
}

static void slot_free(rs_slot *slot)
{
	rs_slot_release(slot);
	free(slot->r);
	free(slot);
}

static void unlink_store(rs_slot *slot)
{
	if (slot->sprev)
		slot->sprev->snext = slot->snext;
	else
		slot->store->slots = slot->snext;
	if (slot->snext)
		slot->snext->sprev = slot->sprev;
}

static void thread_exit(void *head)
{
	pthread_mutex_lock(&lock);
	for (rs_slot *slot = head, *next; slot; slot = next) {
		next = slot->tnext;
		if (slot->store)
			unlink_store(slot);
		slot_free(slot);
	}
	pthread_mutex_unlock(&lock);
}

static void make_key(void)
{
	key_err = pthread_key_create(&key, thread_exit);
}

int rs_slots_init(rs_store *s)
{
	pthread_once(&once, make_key);
	if (key_err)
		return rs_host->error(FCAT_ERROR, "redis: cannot create a thread key");
	pthread_mutex_lock(&lock);
	s->gen = next_gen++;
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Frees a thread's slots of closed stores; under the lock. */
static rs_slot *prune(rs_slot *head)
{
	rs_slot **pp = &head;
	while (*pp) {
		rs_slot *slot = *pp;
		if (slot->store) {
			pp = &slot->tnext;
		} else {
			*pp = slot->tnext;
			slot_free(slot);
		}
	}
	return head;
}

rs_slot *rs_slot_get(rs_store *s)
{
	rs_slot *head = pthread_getspecific(key), *slot;
	for (slot = head; slot; slot = slot->tnext) {
		if (slot->gen == s->gen) {
			rs_slot_release(slot);
			return slot;
		}
	}
	if (!(slot = calloc(1, sizeof *slot)))
		return NULL;
	slot->gen = s->gen;
	slot->store = s;
	pthread_mutex_lock(&lock);
	head = prune(head);
	slot->tnext = head;
	if (pthread_setspecific(key, slot)) {
		pthread_setspecific(key, head); /* the key's storage exists by now */
		pthread_mutex_unlock(&lock);
		free(slot);
		return NULL;
	}
	slot->snext = s->slots;
	if (s->slots)
		s->slots->sprev = slot;
	s->slots = slot;
	pthread_mutex_unlock(&lock);
	return slot;
}

void rs_slots_close(rs_store *s)
{
	if (!s->gen)
		return;
	pthread_mutex_lock(&lock);
	for (rs_slot *slot = s->slots; slot; slot = slot->snext) {
		rs_slot_release(slot);
		free(slot->r);
		slot->r = NULL;
		slot->cap = 0;
		slot->store = NULL;
	}
	s->slots = NULL;
	pthread_setspecific(key, prune(pthread_getspecific(key)));
	pthread_mutex_unlock(&lock);
}
