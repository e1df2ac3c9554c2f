// Command kekkai-go-launcher starts kekkai-init the way hakurei's Go
// launcher (container.Start and Serve) does, with Go's own encoding/gob, to
// prove that an unchanged hakurei-style Go launcher drives kekkai-init.
//
// It reads one initParams gob stream (or, with -json, the canonical JSON of
// ../shared/gob-vectors) on stdin and decodes it with encoding/gob into the
// types of ../shared/gob-vectors/go/container; then, on a locked OS thread:
// no_new_privs, a Landlock ruleset that scopes only signals and abstract
// unix sockets, and exec.Cmd with new user, pid, mount, ipc, uts, cgroup
// (and net unless HostNet) namespaces, Pdeathsig SIGKILL, setsid unless
// RetainSession, ambient CAP_SYS_ADMIN, CAP_SETPCAP and CAP_DAC_OVERRIDE,
// argv ["init"], environment HAKUREI_SETUP=3, the setup pipe at fd 3 and the
// -extra files after it. It writes the params with a fresh gob.Encoder
// (HostUid/HostGid/Count filled in as hakurei's Serve does), closes the
// pipe and exits with init's exit status (128+N when init was killed by
// signal N; 125 when the launcher itself fails).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"

	"gobvectors/container"
)

const (
	prSetNoNewPrivs          = 38
	sysLandlockCreateRuleset = 444
	sysLandlockRestrictSelf  = 446
	scopeAbstractUnixSocket  = 1 << 0
	scopeSignal              = 1 << 1

	// Not in Go 1.19's syscall package.
	cloneNewCgroup = 0x02000000

	capDacOverride = 1
	capSetpcap     = 8
	capSysAdmin    = 21
)

type extraFlags []string

func (e *extraFlags) String() string     { return fmt.Sprint(*e) }
func (e *extraFlags) Set(v string) error { *e = append(*e, v); return nil }

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kekkai-go-launcher: "+format+"\n", args...)
	os.Exit(125)
}

func main() {
	initPath := flag.String("init", "", "kekkai-init to start")
	asJSON := flag.Bool("json", false, "stdin is canonical JSON, not gob")
	var extra extraFlags
	flag.Var(&extra, "extra", "a file passed to the program (repeatable)")
	flag.Parse()
	if *initPath == "" {
		fail("-init is required")
	}

	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("read stdin: %v", err)
	}
	var v *container.Init
	if *asJSON {
		j, err := container.ParseJSON(in)
		if err != nil {
			fail("parse JSON: %v", err)
		}
		if v, err = j.FromJSON(); err != nil {
			fail("convert JSON: %v", err)
		}
	} else if v, _, err = container.DecodeInit(bytes.NewReader(in)); err != nil {
		fail("decode gob: %v", err)
	}

	files := make([]*os.File, 0, len(extra))
	for _, name := range extra {
		f, err := os.Open(name)
		if err != nil {
			fail("%v", err)
		}
		files = append(files, f)
	}
	// hakurei's Serve: the launcher's ids and the number of extra files.
	v.HostUid, v.HostGid, v.Count = os.Getuid(), os.Getgid(), len(files)

	// NNP and Landlock are per thread: hakurei sets them on a locked
	// thread that forks init and stays alive until Wait (Pdeathsig is tied
	// to it too).
	runtime.LockOSThread()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0); errno != 0 {
		fail("prctl(PR_SET_NO_NEW_PRIVS): %v", errno)
	}
	var scoped uint64 = scopeSignal
	if !v.Params.HostAbstract {
		scoped |= scopeAbstractUnixSocket
	}
	attr := [3]uint64{0, 0, scoped} // handled_access_fs, handled_access_net, scoped
	ruleset, _, errno := syscall.RawSyscall(sysLandlockCreateRuleset,
		uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0)
	if errno != 0 {
		fail("create landlock ruleset: %v", errno)
	}
	if _, _, errno = syscall.RawSyscall(sysLandlockRestrictSelf, ruleset, 0, 0); errno != 0 {
		fail("enforce landlock ruleset: %v", errno)
	}
	syscall.Close(int(ruleset))

	r, w, err := os.Pipe()
	if err != nil {
		fail("set up params stream: %v", err)
	}
	cmd := exec.Command(*initPath)
	cmd.Args = []string{"init"}
	cmd.Env = []string{"HAKUREI_SETUP=3"}
	cmd.Dir = "/"
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = append([]*os.File{r}, files...)
	flags := uintptr(syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS |
		syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | cloneNewCgroup)
	if !v.Params.HostNet {
		flags |= syscall.CLONE_NEWNET
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setsid:      !v.Params.RetainSession,
		Pdeathsig:   syscall.SIGKILL,
		Cloneflags:  flags,
		AmbientCaps: []uintptr{capSysAdmin, capSetpcap, capDacOverride},
	}
	if err := cmd.Start(); err != nil {
		fail("start container init: %v", err)
	}
	r.Close()
	for _, f := range files {
		f.Close()
	}
	if err := v.Encode(w); err != nil {
		fmt.Fprintf(os.Stderr, "kekkai-go-launcher: encode: %v\n", err)
	}
	w.Close()

	err = cmd.Wait()
	if err == nil {
		os.Exit(0)
	}
	if exit, ok := err.(*exec.ExitError); ok {
		if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			os.Exit(128 + int(status.Signal()))
		}
		os.Exit(exit.ExitCode())
	}
	fail("wait: %v", err)
}
