-- examples/todo/migrations: comments on the five tables (from examples/todo/schema.sql).
-- Applied by `pothos-perf db migrate --dir examples/todo/migrations`.

COMMENT ON TABLE public.users        IS 'pothos_perf reference workload: application users';
COMMENT ON TABLE public.todo_lists   IS 'pothos_perf reference workload: lists; owner_id deliberately unindexed';
COMMENT ON TABLE public.todos        IS 'pothos_perf reference workload: todos; list_id and assignee_id deliberately unindexed';
COMMENT ON TABLE public.list_members IS 'pothos_perf reference workload: list sharing; list_id and user_id deliberately unindexed';
COMMENT ON TABLE public.login_logs   IS 'pothos_perf reference workload: login audit; user_id deliberately unindexed';
