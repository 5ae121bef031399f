"""gmpkit: a course on concurrency and a simulator of Go's G/M/P scheduler (under construction)."""
