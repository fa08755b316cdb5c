// Test harness for receivers/unity/PoseReceiver.cs (not part of the Unity package): prints each
// accepted datagram as a JSON line with the wire format's keys, {"error": ...} for a malformed one.
//   mono PoseReceiverConsole.exe --port 4900 [--address A] [--sender HOST[:PORT]]
//                                [--multicast-group G --multicast-interface I]
//   mono PoseReceiverConsole.exe --port 4900 --latest   (poll TryTakeLatest as a Unity Update
//                                                        would; adds "parts_received")
//   mono PoseReceiverConsole.exe --stdin-hex    (decode one hex datagram per stdin line)
//   mono PoseReceiverConsole.exe --bench N      (decode all stdin hex datagrams N times:
//                                                {"median_us": ..., "p95_us": ...} per frame)
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading;
using PoseEstimationRos;

static class PoseReceiverConsole
{
    static readonly object OutputLock = new object();

    static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c == '"' || c == '\\') builder.Append('\\').Append(c);
            else if (c < 0x20 || c > 0x7e) builder.AppendFormat("\\u{0:x4}", (int)c);
            else builder.Append(c);
        }
        return builder.Append('"').ToString();
    }

    static string Number(float value)
    {
        return ((double)value).ToString("R", CultureInfo.InvariantCulture);
    }

    static string Numbers(float[] values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++) parts[i] = Number(values[i]);
        return "[" + string.Join(",", parts) + "]";
    }

    static string ToJson(PoseFrame f, bool withPartsReceived = false)
    {
        var people = new string[f.People.Length];
        for (int i = 0; i < people.Length; i++)
        {
            var p = f.People[i];
            people[i] = "{\"id\":" + p.Id + ",\"score\":" + Number(p.Score) + ",\"box\":" +
                Numbers(p.Box) + ",\"keypoints\":" + Numbers(p.Keypoints) + "}";
        }
        return "{\"seq\":" + f.Sequence + ",\"stream\":" + f.Stream + ",\"part\":" + f.Part +
            ",\"parts\":" + f.Parts + (withPartsReceived ? ",\"parts_received\":" + f.PartsReceived : "") +
            ",\"stamp_sec\":" + f.StampSec + ",\"stamp_nanosec\":" +
            f.StampNanosec + ",\"frame_id\":" + Quote(f.FrameId) + ",\"width\":" + f.Width +
            ",\"height\":" + f.Height + ",\"model\":" + Quote(f.Model) + ",\"layout\":" +
            Quote(f.Layout) + ",\"num_keypoints\":" + f.NumKeypoints + ",\"people\":[" +
            string.Join(",", people) + "]}";
    }

    static void Print(string line)
    {
        lock (OutputLock)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    static string Option(string[] args, string name, string fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    static byte[] FromHex(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
        return bytes;
    }

    static void Bench(int repeats)
    {
        var datagrams = new List<byte[]>();
        string line;
        while ((line = Console.In.ReadLine()) != null) datagrams.Add(FromHex(line.Trim()));
        var durations = new double[repeats];
        var clock = new Stopwatch();
        for (int i = 0; i < repeats; i++)
        {
            clock.Restart();
            foreach (var data in datagrams) WireFormat.Decode(data, data.Length);
            durations[i] = clock.Elapsed.TotalMilliseconds * 1000.0;
        }
        Array.Sort(durations);
        Print("{\"median_us\":" + durations[repeats / 2].ToString("R", CultureInfo.InvariantCulture) +
            ",\"p95_us\":" + durations[Math.Min(repeats - 1, repeats * 95 / 100)].ToString(
                "R", CultureInfo.InvariantCulture) + "}");
    }

    static int Main(string[] args)
    {
        string repeats = Option(args, "--bench", null);
        if (repeats != null)
        {
            Bench(int.Parse(repeats, CultureInfo.InvariantCulture));
            return 0;
        }
        if (Array.IndexOf(args, "--stdin-hex") >= 0)
        {
            string line;
            while ((line = Console.In.ReadLine()) != null)
            {
                byte[] data = FromHex(line.Trim());
                try
                {
                    Print(ToJson(WireFormat.Decode(data, data.Length)));
                }
                catch (WireFormatException error)
                {
                    Print("{\"error\":" + Quote(error.Message) + "}");
                }
            }
            return 0;
        }
        int port = int.Parse(Option(args, "--port", "4900"), CultureInfo.InvariantCulture);
        string address = Option(args, "--address", null);
        var receiver = new PoseReceiver(port, address, Option(args, "--multicast-group", null),
            Option(args, "--multicast-interface", null), Option(args, "--sender", null));
        bool latest = Array.IndexOf(args, "--latest") >= 0;
        if (!latest) receiver.OnDatagram = frame => Print(ToJson(frame));
        receiver.OnMalformed = error => Print("{\"error\":" + Quote(error) + "}");
        receiver.OnWarning = warning =>
        {
            lock (OutputLock) // not in the middle of a JSON line when both go to one file
            {
                Console.Error.WriteLine("warning: " + warning);
                Console.Error.Flush();
            }
        };
        try
        {
            receiver.Start();
        }
        catch (PortInUseException error)
        {
            Console.Error.WriteLine("PoseReceiverConsole: " + error.Message);
            return 2;
        }
        Console.Error.WriteLine("listening on " + (address ?? "127.0.0.1") + ":" + port);
        Console.Error.Flush();
        while (true)
        {
            PoseFrame frame;
            if (latest && receiver.TryTakeLatest(out frame)) Print(ToJson(frame, true));
            Thread.Sleep(latest ? 5 : Timeout.Infinite);
        }
    }
}
