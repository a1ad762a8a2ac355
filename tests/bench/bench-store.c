/* bench-store.c: ConfabStore's figures on a generated history
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>

#include "confab-message-history.h"
#include "confab-store.h"

/* Issue 9's figures, for a store of 1,000,000 messages in 500
 * conversations: a search over the account at most 50 ms (p50), opening
 * a conversation to its first 50 rows at most 20 ms, at least 20,000
 * messages written a second, and the file at most twice the text plus
 * 100 bytes a message.  Everything goes through the public async API, on
 * a main loop, as the app would use it.
 *
 *   ./_build/tests/bench/bench-store [--messages N] [--conversations N] */

#define URL  "ws://bench.example:3000"
#define NAME "alice"

/* Adds in flight at once while generating: as a burst of received and
 * sent messages would queue them, bounded so memory stays flat. */
#define IN_FLIGHT 20000

static int opt_messages = 1000000;
static int opt_conversations = 500;
static int opt_searches = 200;
static int opt_opens = 200;
static char *opt_dir = NULL;

static const GOptionEntry entries[] = {
  { "messages", 'n', 0, G_OPTION_ARG_INT, &opt_messages, "Messages to generate (1,000,000)", "N" },
  { "conversations", 'c', 0, G_OPTION_ARG_INT, &opt_conversations, "Conversations (500)", "N" },
  { "searches", 's', 0, G_OPTION_ARG_INT, &opt_searches, "Searches to time (200)", "N" },
  { "opens", 'o', 0, G_OPTION_ARG_INT, &opt_opens, "Conversation opens to time (200)", "N" },
  { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir,
    "Keep the store in DIR (default: a temporary directory, removed)", "DIR" },
  { NULL }
};

/* A vocabulary of made-up words, drawn with Zipf's law as words in
 * messages are: a few very common, most rare. */
#define N_WORDS 20000

static char *words[N_WORDS];
static double zipf_cdf[N_WORDS];

static void
make_words (GRand *rand)
{
  static const char * const syllables[] = {
    "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "pa", "do", "fe", "gu",
    "ha", "ji", "be", "co", "ly", "qua", "sto", "tri", "bel", "mon", "ar", "en",
  };
  double total = 0;

  for (guint i = 0; i < N_WORDS; i++)
    {
      GString *word = g_string_new (NULL);
      guint n = 1 + g_rand_int_range (rand, 1, 4);

      for (guint j = 0; j < n; j++)
        g_string_append (word, syllables[g_rand_int_range (rand, 0, G_N_ELEMENTS (syllables))]);
      words[i] = g_string_free (word, FALSE);
      total += 1.0 / (i + 1);
      zipf_cdf[i] = total;
    }
  for (guint i = 0; i < N_WORDS; i++)
    zipf_cdf[i] /= total;
}

static guint
draw_word (GRand *rand)
{
  double x = g_rand_double (rand);
  guint low = 0;
  guint high = N_WORDS - 1;

  while (low < high)
    {
      guint middle = (low + high) / 2;

      if (zipf_cdf[middle] < x)
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

/* A chat line: 2 to 16 words. */
static char *
make_text (GRand *rand)
{
  GString *text = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 2, 17);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, words[draw_word (rand)]);
    }

  return g_string_free (text, FALSE);
}

static char *
peer_name (guint i)
{
  return g_strdup_printf ("peer%03u", i);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *samples,
            double  p)
{
  g_array_sort (samples, compare_doubles);

  return g_array_index (samples, double, (guint) ((samples->len - 1) * p));
}

/* CPU seconds of the whole process, every thread: a figure the other
 * loads of a shared machine disturb less than the time on the clock. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);

  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static ConfabStore *
open_store (const char *dir)
{
  g_autoptr(ConfabStore) store = confab_store_new (dir);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_store_open_async (store, NULL, store_result_cb, &result);
  if (!confab_store_open_finish (store, wait_for (&result), &error))
    g_error ("%s", error->message);

  return g_steal_pointer (&store);
}

typedef struct
{
  guint in_flight;
  guint failed;
} Writes;

static void
added_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Writes *writes = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_store_add_message_finish (CONFAB_STORE (object), result, &error))
    {
      if (writes->failed++ == 0)
        g_printerr ("%s\n", error->message);
    }
  writes->in_flight--;
}

/* Writes @n messages to random conversations; returns the text's bytes. */
static guint64
generate (ConfabStore *store,
          GRand       *rand,
          guint        n,
          double      *seconds,
          double      *cpu)
{
  g_autoptr(GTimer) timer = g_timer_new ();
  double cpu_start = cpu_seconds ();
  Writes writes = { 0, 0 };
  guint64 text_bytes = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *peer = peer_name (g_rand_int_range (rand, 0, opt_conversations));
      g_autofree char *text = make_text (rand);
      gboolean outgoing = g_rand_boolean (rand);
      g_autoptr(ConfabChatMessage) message = NULL;

      while (writes.in_flight >= IN_FLIGHT)
        g_main_context_iteration (NULL, TRUE);

      text_bytes += strlen (text);
      message = confab_store_new_message (store,
                                          outgoing ? CONFAB_CHAT_MESSAGE_OUTGOING
                                                   : CONFAB_CHAT_MESSAGE_INCOMING,
                                          outgoing ? NAME : peer, text, NULL);
      writes.in_flight++;
      confab_store_add_message_async (store, URL, NAME, peer, message, CONFAB_STORE_ADD_NONE,
                                      NULL, added_cb, &writes);
    }
  while (writes.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);

  *seconds = g_timer_elapsed (timer, NULL);
  *cpu = cpu_seconds () - cpu_start;
  if (writes.failed > 0)
    g_error ("%u writes failed", writes.failed);

  return text_bytes;
}

/* One message at a time, each waiting for its commit: the latency a
 * person sees between Enter and the message shown as kept. */
static double
single_write_ms (ConfabStore *store,
                 GRand       *rand)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *text = make_text (rand);
      g_autoptr(ConfabChatMessage) message = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      gint64 start = g_get_monotonic_time ();
      double ms;

      message = confab_store_new_message (store, CONFAB_CHAT_MESSAGE_OUTGOING, NAME, text, NULL);
      confab_store_add_message_async (store, URL, NAME, "peer000", message,
                                      CONFAB_STORE_ADD_NONE, NULL, store_result_cb, &result);
      if (!confab_store_add_message_finish (store, wait_for (&result), NULL))
        g_error ("a single write failed");
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (samples, ms);
    }

  return percentile (samples, 0.5);
}

/* From a new ConfabMessageHistory to its first page in the model. */
static double
open_ms (ConfabStore *store,
         const char  *peer,
         guint       *n_rows)
{
  g_autoptr(ConfabMessageHistory) history = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gint64 start = g_get_monotonic_time ();

  history = confab_message_history_new (store, URL, NAME, peer);
  confab_message_history_load_older_async (history, NULL, store_result_cb, &result);
  if (!confab_message_history_load_older_finish (history, wait_for (&result), NULL))
    g_error ("loading %s failed", peer);
  *n_rows = g_list_model_get_n_items (G_LIST_MODEL (history));

  return (g_get_monotonic_time () - start) / 1000.0;
}

static double
search_ms (ConfabStore *store,
           const char  *peer,
           const char  *query,
           guint       *n_results)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  confab_store_search_async (store, URL, NAME, peer, query, 50, NULL, store_result_cb, &result);
  results = confab_store_search_finish (store, wait_for (&result), &error);
  if (results == NULL)
    g_error ("%s", error->message);
  *n_results = g_list_model_get_n_items (results);

  return (g_get_monotonic_time () - start) / 1000.0;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

/* Bytes of pages the file holds free (left by FTS5's merges of its
 * segments), which SQLite fills again before it grows the file: read
 * with a connection of the benchmark's own, after the store closed. */
static guint64
free_bytes (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint64 bytes = 0;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT freelist_count * page_size FROM pragma_freelist_count, pragma_page_size",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    bytes = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return bytes;
}

static void
remove_store (const char *dir)
{
  static const char * const names[] = { "confab.db", "confab.db-wal", "confab.db-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- ConfabStore's figures");
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GArray) opens = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) empty_opens = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) searches = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) conversation_searches = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  guint64 text_bytes;
  guint64 db_bytes;
  guint64 db_free_bytes;
  guint64 total_results = 0;
  double write_seconds;
  double write_cpu;
  double single_ms;
  gboolean temporary;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      opt_messages < 1 || opt_conversations < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "Give at least one of each.");
      return EXIT_FAILURE;
    }

  temporary = opt_dir == NULL;
  dir = temporary ? g_dir_make_tmp ("bench-store-XXXXXX", &error) : g_strdup (opt_dir);
  if (dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "confab.db", NULL);
  wal = g_strconcat (path, "-wal", NULL);

  make_words (rand);
  store = open_store (dir);

  g_print ("Generating %d messages in %d conversations in %s\n",
           opt_messages, opt_conversations, path);
  text_bytes = generate (store, rand, opt_messages, &write_seconds, &write_cpu);
  single_ms = single_write_ms (store, rand);

  /* Closing checkpoints the WAL into the file: what is left is the size
   * kept on disk.  Reopening starts the reads from a cold connection (the
   * kernel's cache is warm: this measures the store, not the disk). */
  g_clear_object (&store);
  db_bytes = file_size (path) + file_size (wal);
  db_free_bytes = free_bytes (path);
  store = open_store (dir);

  for (int i = 0; i < opt_opens; i++)
    {
      g_autofree char *peer = peer_name (g_rand_int_range (rand, 0, opt_conversations));
      g_autofree char *nobody = g_strdup_printf ("empty%d", i);
      guint n_rows;
      double ms;

      ms = open_ms (store, peer, &n_rows);
      g_array_append_val (opens, ms);
      ms = open_ms (store, nobody, &n_rows);
      g_array_append_val (empty_opens, ms);
    }

  for (int i = 0; i < opt_searches; i++)
    {
      g_autofree char *peer = peer_name (g_rand_int_range (rand, 0, opt_conversations));
      /* Words as people search for them: one or two, drawn like the text
       * was, so common ones come up as often as they would. */
      g_autofree char *query = i % 2 ? g_strdup (words[draw_word (rand)])
                                     : g_strdup_printf ("%s %s", words[draw_word (rand)],
                                                        words[draw_word (rand)]);
      guint n_results;
      double ms;

      ms = search_ms (store, NULL, query, &n_results);
      g_array_append_val (searches, ms);
      total_results += n_results;
      ms = search_ms (store, peer, query, &n_results);
      g_array_append_val (conversation_searches, ms);
    }

  g_print ("\n");
  g_print ("write rate:               %.0f messages/s (%d through add_message_async, "
           "%d in flight; target >= 20000)\n",
           opt_messages / write_seconds, opt_messages, IN_FLIGHT);
  g_print ("write CPU:                %.1f us a message (both threads, text generation "
           "included): %.0f messages a CPU-second\n",
           write_cpu * 1e6 / opt_messages, opt_messages / write_cpu);
  g_print ("single write to commit:   %.2f ms p50 (one at a time, fsync each)\n", single_ms);
  g_print ("open a conversation:      %.2f ms p50, %.2f ms p90 to its first 50 rows "
           "(%d opens; target <= 20 ms)\n",
           percentile (opens, 0.5), percentile (opens, 0.9), opt_opens);
  g_print ("open an empty one:        %.2f ms p50, %.2f ms p90\n",
           percentile (empty_opens, 0.5), percentile (empty_opens, 0.9));
  g_print ("search the account:       %.2f ms p50, %.2f ms p90 (%d searches, %.1f results "
           "each of at most 50; target p50 <= 50 ms)\n",
           percentile (searches, 0.5), percentile (searches, 0.9), opt_searches,
           (double) total_results / opt_searches);
  g_print ("search a conversation:    %.2f ms p50, %.2f ms p90\n",
           percentile (conversation_searches, 0.5), percentile (conversation_searches, 0.9));
  g_print ("database size:            %.1f MB for %.1f MB of text: %.2f x text + %.0f bytes "
           "a message over 2 x text (target: <= 100)\n",
           db_bytes / 1e6, text_bytes / 1e6, (double) db_bytes / text_bytes,
           ((double) db_bytes - 2.0 * text_bytes) / opt_messages);
  g_print ("  of which free pages:    %.1f MB (filled again before the file grows)\n",
           db_free_bytes / 1e6);

  g_clear_object (&store);
  if (temporary)
    remove_store (dir);

  return EXIT_SUCCESS;
}
