// cpu_bound: n goroutines each compute for the time the plan gives (gmpkit.scenarios.cpu_bound).
package main

func main() {
	var p struct{ Work []int }
	plan(&p)
	spawnAll(len(p.Work), func(i int) { work(p.Work[i]) })
}
