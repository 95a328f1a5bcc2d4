// The Go side of the data model's tests: `gen` writes the TypeScript description of the Go types Istio's
// templates see; `probe` answers, for pods and configs, what Go makes of paths through SidecarTemplateData.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gotypes gen | probe < requests.json")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "gen":
		fmt.Print(generate())
	case "probe":
		if err := probe(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}
