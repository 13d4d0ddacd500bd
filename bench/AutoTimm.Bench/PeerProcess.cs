using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>
/// The peers' side of the benchmark: <c>bench/peers/peer_server.py</c> under Debian's python3 with pytorch-grad-cam
/// and Captum on PYTHONPATH, kept running and asked to time one run at a time, so our runs and theirs interleave.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process, JsonObject hello)
    {
        _process = process;
        Hello = hello;
    }

    /// <summary>Versions and the libraries that could not be imported.</summary>
    public JsonObject Hello { get; }

    /// <summary>Starts the peer server, or returns null with the reason when Python or torch is absent.</summary>
    public static PeerProcess? Start(string script, string python, out string? why)
    {
        why = null;
        if (!File.Exists(script)) { why = $"{script} not found"; return null; }
        var info = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = $"{python} cannot be started ({e.Message}); install Debian's python3-torch and python3-torchvision";
            return null;
        }
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.StandardInput.WriteLine("{\"op\":\"hello\"}");
        process.StandardInput.Flush();
        var line = process.StandardOutput.ReadLine();
        if (line is null)
        {
            process.WaitForExit();
            why = $"{script} exited with {process.ExitCode} before answering: torch or torchvision is not importable by {python}";
            return null;
        }
        return new PeerProcess(process, JsonNode.Parse(line)!.AsObject());
    }

    /// <summary>Milliseconds of one run of <paramref name="item"/>, or an exception with the peer's error.</summary>
    public double Time(string item, string arch, int batch, int threads)
    {
        var request = new JsonObject { ["op"] = "time", ["item"] = item, ["arch"] = arch, ["batch"] = batch, ["size"] = 224, ["threads"] = threads };
        _process.StandardInput.WriteLine(request.ToJsonString());
        _process.StandardInput.Flush();
        var answer = JsonNode.Parse(_process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the peer server exited"))!.AsObject();
        if (answer["error"] is { } error) throw new PeerUnavailableException(error.GetValue<string>());
        return answer["ms"]!.GetValue<double>();
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.WriteLine(JsonSerializer.Serialize(new { op = "quit" }));
            _process.StandardInput.Flush();
            if (!_process.WaitForExit(10_000)) _process.Kill();
        }
        catch (IOException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}

/// <summary>A peer item that cannot run here (its library is missing); the benchmark skips it with the message.</summary>
internal sealed class PeerUnavailableException(string message) : Exception(message);
