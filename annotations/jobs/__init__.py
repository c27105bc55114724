"""No job left behind: the lease a worker holds on a job while it runs it (with a heartbeat),
and the sweep that beat runs to queue again, or fail with a reason, the jobs whose worker or
message was lost."""
