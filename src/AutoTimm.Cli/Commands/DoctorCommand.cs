using System.CommandLine;
using AutoTimm.Native;

namespace AutoTimm.Cli.Commands;

/// <summary><c>autotimm doctor</c>: how the native runtime is set up on this host.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor",
            "Describe the native runtime: libtorch and where it loaded from, threads, allocator settings, and the oneDNN ISA verdict with the errors it measured.");
        command.SetJsonAction(_ => RuntimeReport.Collect());
        return command;
    }
}
