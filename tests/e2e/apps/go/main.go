// dockmod e2e sample: Go using only the standard library (the module proxy is unreachable).
package main

import (
	"crypto/sha256"
	"fmt"
)

func main() {
	sum := sha256.Sum256([]byte("dockmod"))
	fmt.Printf("go ok: sha256(dockmod)=%x\n", sum[:4])
}
