// proc_usage.hpp: CPU time and sleeps of processes, read from /proc, for the
// read-your-writes benchmarks. schedstat's run time is in nanoseconds
// (utime/stime in /proc/<pid>/stat count 10 ms ticks, too coarse for a read
// that costs a few hundred microseconds), and every voluntary context switch
// is one sleep, so one wake-up.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <string>

struct ProcessUsage {
	double cpu_ms = 0;
	long wakeups = 0;
};

inline std::string
read_small_file(const std::string &path) {
	FILE *file = std::fopen(path.c_str(), "r");
	if (file == nullptr)
		return "";
	char buffer[4096];
	size_t n = std::fread(buffer, 1, sizeof(buffer) - 1, file);
	std::fclose(file);
	buffer[n] = '\0';
	return buffer;
}

inline ProcessUsage
process_usage(long pid) {
	ProcessUsage usage;
	std::string base = "/proc/" + std::to_string(pid);
	unsigned long long run_ns = 0;
	if (std::sscanf(read_small_file(base + "/schedstat").c_str(), "%llu", &run_ns) == 1)
		usage.cpu_ms = static_cast<double>(run_ns) / 1e6;
	std::string status = read_small_file(base + "/status");
	size_t at = status.find("\nvoluntary_ctxt_switches:");
	if (at != std::string::npos)
		usage.wakeups = std::atol(status.c_str() + at + 26);
	return usage;
}

// CPU milliseconds used so far by a postmaster and all its live children
// (children that exited are not counted).
inline double
cluster_cpu_ms(long postmaster_pid) {
	double total = process_usage(postmaster_pid).cpu_ms;
	DIR *proc = opendir("/proc");
	if (proc == nullptr)
		return total;
	while (struct dirent *entry = readdir(proc)) {
		long pid = std::atol(entry->d_name);
		if (pid <= 0)
			continue;
		std::string stat = read_small_file("/proc/" + std::to_string(pid) + "/stat");
		size_t after_name = stat.rfind(')');
		long ppid = 0;
		if (after_name != std::string::npos && std::sscanf(stat.c_str() + after_name + 2, "%*c %ld", &ppid) == 1 &&
		    ppid == postmaster_pid)
			total += process_usage(pid).cpu_ms;
	}
	closedir(proc);
	return total;
}
