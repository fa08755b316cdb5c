// Receive pose_estimation_ros wire format v1 datagrams (docs/wire-format.md) in Unity or any
// .NET program. Dependency-free: a UdpClient on a background thread, a minimal msgpack reader
// for our schema, and a newest-frame hand-off the main thread polls with TryTakeLatest.
//
//   var receiver = new PoseReceiver(4900);            // listens on 127.0.0.1 only
//   var lan = new PoseReceiver(4900, "0.0.0.0", sender: "192.168.1.20"); // another host's bridge
//   receiver.Start();                                  // PortInUseException: port taken
//   ...every frame: if (receiver.TryTakeLatest(out PoseFrame frame)) { use frame.People }
//   receiver.Dispose();
//
// Coordinates are source-image pixels, origin top-left, y down: see PoseReceiverBehaviour for
// the conversion to Unity's y-up axes.
using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace PoseEstimationRos
{
    /// <summary>A datagram that is not valid wire format v1; the message says what is wrong.</summary>
    public sealed class WireFormatException : Exception
    {
        public WireFormatException(string message) : base(message) { }
    }

    /// <summary>One person: track id (-1 untracked), score, box and every keypoint of the layout.</summary>
    public sealed class PersonPose
    {
        public int Id;
        public float Score;
        /// <summary>x_min, y_min, x_max, y_max in source-image pixels.</summary>
        public float[] Box;
        /// <summary>x0, y0, score0, x1, ... (3 per keypoint, layout order, never dropped).</summary>
        public float[] Keypoints;
    }

    /// <summary>The people of one frame (one datagram, or the parts of a frame received so far).</summary>
    public sealed class PoseFrame
    {
        public uint Stream;
        public uint Sequence;
        public int Part;
        public int Parts;
        /// <summary>How many of the frame's parts this object holds (Parts when complete).</summary>
        public int PartsReceived = 1;
        public int StampSec;
        public uint StampNanosec;
        public string FrameId;
        public uint Width;
        public uint Height;
        public string Model;
        public string Layout;
        public int NumKeypoints;
        public PersonPose[] People;

        /// <summary>A copy sharing the People array (used when merging parts).</summary>
        public PoseFrame ShallowCopy()
        {
            return (PoseFrame)MemberwiseClone();
        }
    }

    /// <summary>Wire format v1 keys, limits and the validating decoder.</summary>
    public static class WireFormat
    {
        public const int Version = 1;
        public const int MaxUdpPayloadBytes = 65507;
        // Bounds (docs/wire-format.md, "Bounds"), the same numbers as the Python and JS receivers.
        public const int MaxPeoplePerFrame = 256;
        public const int MaxParts = 256;
        public const int MaxFrameBytes = 1 << 20;
        public const int MaxNestingDepth = 16;
        public const int ValuesPerKeypoint = 3;
        public const int BoxValues = 4;
        public const long NanosecondsPerSecond = 1000000000L;

        public const string KeyVersion = "version";
        public const string KeyStream = "stream";
        public const string KeySequence = "seq";
        public const string KeyPart = "part";
        public const string KeyParts = "parts";
        public const string KeyStampSec = "stamp_sec";
        public const string KeyStampNanosec = "stamp_nanosec";
        public const string KeyFrameId = "frame_id";
        public const string KeyWidth = "width";
        public const string KeyHeight = "height";
        public const string KeyModel = "model";
        public const string KeyLayout = "layout";
        public const string KeyNumKeypoints = "num_keypoints";
        public const string KeyPeople = "people";
        public const string KeyId = "id";
        public const string KeyScore = "score";
        public const string KeyBox = "box";
        public const string KeyKeypoints = "keypoints";

        /// <summary>Decode one datagram; throws WireFormatException for anything malformed.</summary>
        public static PoseFrame Decode(byte[] data, int length)
        {
            if (data == null || length < 1 || length > MaxUdpPayloadBytes || length > data.Length)
            {
                throw new WireFormatException(
                    "datagram has " + length + " bytes, must be 1.." + MaxUdpPayloadBytes);
            }
            var root = AsMap(MsgPackReader.Read(data, length), "datagram");
            const string where = "datagram";
            long version = Int(root, KeyVersion, where, 0, uint.MaxValue);
            if (version != Version)
            {
                throw new WireFormatException("unsupported wire format version " + version +
                    "; this decoder reads " + Version);
            }
            int parts = (int)Int(root, KeyParts, where, 1, MaxParts);
            int part = (int)Int(root, KeyPart, where, 0, parts - 1);
            int numKeypoints = (int)Int(root, KeyNumKeypoints, where, 0, MaxUdpPayloadBytes);
            var people = Field(root, KeyPeople, where) as List<object>;
            if (people == null) throw new WireFormatException("datagram field 'people' must be an array");
            if (people.Count > MaxPeoplePerFrame)
            {
                throw new WireFormatException("datagram holds " + people.Count + " people, at most " +
                    MaxPeoplePerFrame);
            }
            var frame = new PoseFrame
            {
                Stream = (uint)Int(root, KeyStream, where, 0, uint.MaxValue),
                Sequence = (uint)Int(root, KeySequence, where, 0, uint.MaxValue),
                Part = part,
                Parts = parts,
                StampSec = (int)Int(root, KeyStampSec, where, int.MinValue, int.MaxValue),
                StampNanosec = (uint)Int(root, KeyStampNanosec, where, 0, NanosecondsPerSecond - 1),
                FrameId = Str(root, KeyFrameId, where),
                Width = (uint)Int(root, KeyWidth, where, 0, uint.MaxValue),
                Height = (uint)Int(root, KeyHeight, where, 0, uint.MaxValue),
                Model = Str(root, KeyModel, where),
                Layout = Str(root, KeyLayout, where),
                NumKeypoints = numKeypoints,
                People = new PersonPose[people.Count],
            };
            for (int i = 0; i < people.Count; i++)
            {
                string at = "people[" + i + "]";
                var person = AsMap(people[i], at);
                frame.People[i] = new PersonPose
                {
                    Id = (int)Int(person, KeyId, at, int.MinValue, int.MaxValue),
                    Score = Number(Field(person, KeyScore, at), at, KeyScore),
                    Box = Floats(person, KeyBox, at, BoxValues),
                    Keypoints = Floats(person, KeyKeypoints, at, ValuesPerKeypoint * numKeypoints),
                };
            }
            return frame;
        }

        /// <summary>Whether sequence a comes after b modulo 2**32 (RFC 1982 serial arithmetic).</summary>
        public static bool IsNewer(uint a, uint b)
        {
            uint distance = unchecked(a - b);
            return distance > 0 && distance < 0x80000000u;
        }

        static Dictionary<string, object> AsMap(object value, string where)
        {
            var map = value as Dictionary<string, object>;
            if (map == null) throw new WireFormatException(where + " must be a msgpack map");
            return map;
        }

        static object Field(Dictionary<string, object> map, string key, string where)
        {
            object value;
            if (!map.TryGetValue(key, out value))
            {
                throw new WireFormatException(where + " has no '" + key + "' field");
            }
            return value;
        }

        static long Int(Dictionary<string, object> map, string key, string where, long low, long high)
        {
            object value = Field(map, key, where);
            if (!(value is long))
            {
                throw new WireFormatException(where + " field '" + key + "' must be an integer");
            }
            long number = (long)value;
            if (number < low || number > high)
            {
                throw new WireFormatException(where + " field '" + key + "' is " + number +
                    ", must be in " + low + ".." + high);
            }
            return number;
        }

        static string Str(Dictionary<string, object> map, string key, string where)
        {
            var value = Field(map, key, where) as string;
            if (value == null) throw new WireFormatException(where + " field '" + key + "' must be a string");
            return value;
        }

        static float Number(object value, string where, string key)
        {
            float number;
            if (value is double) number = (float)(double)value;
            else if (value is long) number = (long)value;
            else throw new WireFormatException(where + " field '" + key + "' must be a number");
            if (float.IsNaN(number) || float.IsInfinity(number))
            {
                throw new WireFormatException(where + " field '" + key + "' holds " +
                    Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) +
                    ": floats must be finite float32");
            }
            return number;
        }

        static float[] Floats(Dictionary<string, object> map, string key, string where, int count)
        {
            var list = Field(map, key, where) as List<object>;
            if (list == null)
            {
                throw new WireFormatException(where + " field '" + key + "' must be an array of numbers");
            }
            if (list.Count != count)
            {
                throw new WireFormatException(where + " field '" + key + "' has " + list.Count +
                    " numbers, expected " + count);
            }
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = Number(list[i], where, key);
            return values;
        }
    }

    /// <summary>
    /// Minimal msgpack reader for the wire format: maps with string keys, arrays, strings,
    /// integers (as long), floats (as double), nil and booleans. Binary and extension types are
    /// refused. Every declared length is checked against the bytes left before anything is
    /// allocated, and nesting is limited, so a forged datagram cannot make it allocate much.
    /// </summary>
    public static class MsgPackReader
    {

        public static object Read(byte[] data, int length)
        {
            int offset = 0;
            object value = ReadValue(data, length, ref offset, 0);
            if (offset != length)
            {
                throw new WireFormatException("datagram has bytes after its msgpack map");
            }
            return value;
        }

        static void Need(int length, int offset, long count)
        {
            if (count < 0 || count > length - offset)
            {
                throw new WireFormatException("datagram is not valid msgpack: " + count +
                    " bytes declared at offset " + offset + ", only " + (length - offset) + " left");
            }
        }

        static ulong BigEndian(byte[] data, int length, ref int offset, int size)
        {
            Need(length, offset, size);
            ulong value = 0;
            for (int i = 0; i < size; i++) value = (value << 8) | data[offset + i];
            offset += size;
            return value;
        }

        static object ReadValue(byte[] data, int length, ref int offset, int depth)
        {
            Need(length, offset, 1);
            byte type = data[offset++];
            if (type <= 0x7f) return (long)type;
            if (type >= 0xe0) return (long)(sbyte)type;
            if ((type & 0xf0) == 0x80) return ReadMap(data, length, ref offset, type & 0x0f, depth);
            if ((type & 0xf0) == 0x90) return ReadArray(data, length, ref offset, type & 0x0f, depth);
            if ((type & 0xe0) == 0xa0) return ReadString(data, length, ref offset, type & 0x1f);
            switch (type)
            {
                case 0xc0: return null;
                case 0xc2: return false;
                case 0xc3: return true;
                case 0xca:
                    {
                        uint bits = (uint)BigEndian(data, length, ref offset, 4);
                        return (double)BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);
                    }
                case 0xcb:
                    return BitConverter.Int64BitsToDouble((long)BigEndian(data, length, ref offset, 8));
                case 0xcc: return (long)BigEndian(data, length, ref offset, 1);
                case 0xcd: return (long)BigEndian(data, length, ref offset, 2);
                case 0xce: return (long)BigEndian(data, length, ref offset, 4);
                case 0xcf:
                    {
                        ulong value = BigEndian(data, length, ref offset, 8);
                        if (value > long.MaxValue) throw new WireFormatException("datagram has an integer beyond 64 bits signed");
                        return (long)value;
                    }
                case 0xd0: return (long)(sbyte)BigEndian(data, length, ref offset, 1);
                case 0xd1: return (long)(short)BigEndian(data, length, ref offset, 2);
                case 0xd2: return (long)(int)BigEndian(data, length, ref offset, 4);
                case 0xd3: return (long)BigEndian(data, length, ref offset, 8);
                case 0xd9: return ReadString(data, length, ref offset, (long)BigEndian(data, length, ref offset, 1));
                case 0xda: return ReadString(data, length, ref offset, (long)BigEndian(data, length, ref offset, 2));
                case 0xdb: return ReadString(data, length, ref offset, (long)BigEndian(data, length, ref offset, 4));
                case 0xdc: return ReadArray(data, length, ref offset, (long)BigEndian(data, length, ref offset, 2), depth);
                case 0xdd: return ReadArray(data, length, ref offset, (long)BigEndian(data, length, ref offset, 4), depth);
                case 0xde: return ReadMap(data, length, ref offset, (long)BigEndian(data, length, ref offset, 2), depth);
                case 0xdf: return ReadMap(data, length, ref offset, (long)BigEndian(data, length, ref offset, 4), depth);
                case 0xc1:
                    throw new WireFormatException("datagram is not valid msgpack: it holds the unused type byte " +
                        "0xc1 at offset " + (offset - 1));
                default:
                    throw new WireFormatException(string.Format(
                        "datagram is not valid msgpack: type byte 0x{0:x2} (binary or extension) at offset {1}",
                        type, offset - 1));
            }
        }

        static string ReadString(byte[] data, int length, ref int offset, long size)
        {
            Need(length, offset, size);
            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(data, offset, (int)size);
            }
            catch (ArgumentException)
            {
                throw new WireFormatException("datagram is not valid msgpack: a string is not UTF-8");
            }
            offset += (int)size;
            return text;
        }

        // depth: containers around this one (0 for the root map).
        static void CheckDepth(int depth)
        {
            if (depth >= WireFormat.MaxNestingDepth)
            {
                throw new WireFormatException("datagram is not valid msgpack: containers nested deeper than " +
                    WireFormat.MaxNestingDepth + " levels");
            }
        }

        static List<object> ReadArray(byte[] data, int length, ref int offset, long count, int depth)
        {
            CheckDepth(depth);
            Need(length, offset, count); // every item takes at least one byte
            var items = new List<object>((int)count);
            for (long i = 0; i < count; i++) items.Add(ReadValue(data, length, ref offset, depth + 1));
            return items;
        }

        static Dictionary<string, object> ReadMap(byte[] data, int length, ref int offset, long count, int depth)
        {
            CheckDepth(depth);
            Need(length, offset, 2 * count); // every key and value takes at least one byte
            var map = new Dictionary<string, object>((int)count);
            for (long i = 0; i < count; i++)
            {
                var key = ReadValue(data, length, ref offset, depth + 1) as string;
                if (key == null) throw new WireFormatException("datagram is not valid msgpack: a map key is not a string");
                map[key] = ReadValue(data, length, ref offset, depth + 1);
            }
            return map;
        }
    }

    /// <summary>The UDP port is held by another socket; the message says what to do.</summary>
    public sealed class PortInUseException : Exception
    {
        public PortInUseException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>
    /// Receives datagrams on a background thread and hands the newest frame to the main thread.
    /// Datagrams older than the newest frame are dropped (wrap-aware); parts of the newest frame
    /// are merged as they come, so TryTakeLatest may return a frame with PartsReceived &lt; Parts.
    /// Listens on 127.0.0.1 unless given another address, never shares a unicast port, accepts
    /// only the configured sender when one is given, and holds one frame of at most
    /// WireFormat.MaxPeoplePerFrame people in WireFormat.MaxFrameBytes datagram bytes; a
    /// duplicate part is ignored. Each cause of a dropped datagram is reported once (OnWarning).
    /// </summary>
    public sealed class PoseReceiver : IDisposable
    {
        readonly int port;
        readonly IPAddress bindAddress;
        readonly IPAddress multicastGroup;
        readonly IPAddress multicastInterface;
        readonly IPAddress senderAddress;
        readonly int senderPort; // 0: any port of senderAddress
        UdpClient client;
        Thread thread;
        PoseFrame current; // receive thread only
        PoseFrame latest; // handed over through Interlocked.Exchange
        bool[] partsSeen;
        long currentBytes;
        long datagramsAccepted, datagramsStale, datagramsMalformed, datagramsDropped;
        readonly HashSet<string> warned = new HashSet<string>();

        /// <summary>Called on the receive thread for each accepted datagram (not Unity's main thread).</summary>
        public Action<PoseFrame> OnDatagram;
        /// <summary>Called on the receive thread with the error of each malformed datagram.</summary>
        public Action<string> OnMalformed;
        /// <summary>Called on the receive thread once per cause of dropped datagrams (foreign sender,
        /// duplicate or inconsistent part, a frame beyond the bounds).</summary>
        public Action<string> OnWarning;

        /// <param name="bindAddress">local address; null: 127.0.0.1, or 0.0.0.0 with a multicast group.
        /// "0.0.0.0" or an interface's address takes datagrams from other hosts.</param>
        /// <param name="sender">"HOST[:PORT]" (IPv4): accept datagrams from this sender only.</param>
        public PoseReceiver(int port, string bindAddress = null, string multicastGroup = null,
            string multicastInterface = null, string sender = null)
        {
            this.port = port;
            this.multicastGroup = string.IsNullOrEmpty(multicastGroup) ? null : IPAddress.Parse(multicastGroup);
            this.bindAddress = !string.IsNullOrEmpty(bindAddress) ? IPAddress.Parse(bindAddress)
                : this.multicastGroup != null ? IPAddress.Any : IPAddress.Loopback;
            this.multicastInterface = string.IsNullOrEmpty(multicastInterface)
                ? IPAddress.Any : IPAddress.Parse(multicastInterface);
            if (!string.IsNullOrEmpty(sender))
            {
                string[] hostPort = sender.Split(':');
                senderAddress = ResolveIPv4(hostPort[0]);
                senderPort = hostPort.Length > 1 ? int.Parse(hostPort[1]) : 0;
            }
        }

        static IPAddress ResolveIPv4(string host)
        {
            IPAddress address;
            if (IPAddress.TryParse(host, out address)) return address;
            foreach (var candidate in Dns.GetHostAddresses(host))
            {
                if (candidate.AddressFamily == AddressFamily.InterNetwork) return candidate;
            }
            throw new ArgumentException("sender " + host + " has no IPv4 address");
        }

        public long DatagramsAccepted { get { return Interlocked.Read(ref datagramsAccepted); } }
        public long DatagramsStale { get { return Interlocked.Read(ref datagramsStale); } }
        public long DatagramsMalformed { get { return Interlocked.Read(ref datagramsMalformed); } }
        /// <summary>From another sender, duplicate or inconsistent parts, beyond the bounds.</summary>
        public long DatagramsDropped { get { return Interlocked.Read(ref datagramsDropped); } }
        public string LastError { get; private set; }

        /// <summary>Bind the socket and start the receive thread; PortInUseException when the port is taken.</summary>
        public void Start()
        {
            client = new UdpClient(AddressFamily.InterNetwork);
            // Several receivers of one multicast group on a host need address reuse; a unicast
            // port is never shared, so another program cannot take the poses.
            client.Client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress,
                multicastGroup != null);
            try
            {
                client.Client.Bind(new IPEndPoint(bindAddress, port));
            }
            catch (SocketException error)
            {
                client.Close();
                client = null;
                if (error.SocketErrorCode != SocketError.AddressAlreadyInUse) throw;
                throw new PortInUseException("UDP port " + port + " is in use on " + bindAddress +
                    " (another program, maybe another receiver, holds it); stop that program or use " +
                    "another port (and the bridge's port parameter)", error);
            }
            if (multicastGroup != null) client.JoinMulticastGroup(multicastGroup, multicastInterface);
            thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "PoseReceiver" };
            thread.Start(client);
        }

        /// <summary>Take the newest frame received since the last call; false when none came.</summary>
        public bool TryTakeLatest(out PoseFrame frame)
        {
            frame = Interlocked.Exchange(ref latest, null);
            return frame != null;
        }

        void ReceiveLoop(object state)
        {
            var socket = (UdpClient)state;
            var remote = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                byte[] data;
                try
                {
                    data = socket.Receive(ref remote);
                }
                catch (ObjectDisposedException)
                {
                    return; // Dispose closed the socket
                }
                catch (SocketException error)
                {
                    if (Volatile.Read(ref client) == null) return; // Dispose closed the socket
                    LastError = error.Message;
                    continue;
                }
                if (senderAddress != null && (!remote.Address.Equals(senderAddress) ||
                    (senderPort != 0 && remote.Port != senderPort)))
                {
                    Drop("from another sender", "dropped a datagram from " + remote + ", not the sender " +
                        senderAddress + (senderPort != 0 ? ":" + senderPort : ""));
                    continue;
                }
                Handle(data);
            }
        }

        /// <summary>Count a dropped datagram; report the first one of each cause.</summary>
        void Drop(string cause, string words)
        {
            Interlocked.Increment(ref datagramsDropped);
            if (warned.Add(cause) && OnWarning != null) OnWarning(words + " (reported once, counted)");
        }

        void Handle(byte[] data)
        {
            PoseFrame part;
            try
            {
                part = WireFormat.Decode(data, data.Length);
            }
            catch (WireFormatException error)
            {
                Interlocked.Increment(ref datagramsMalformed);
                LastError = error.Message;
                if (OnMalformed != null) OnMalformed(error.Message);
                return;
            }
            bool sameFrame = current != null && part.Stream == current.Stream &&
                part.Sequence == current.Sequence;
            if (current != null && part.Stream == current.Stream && !sameFrame &&
                !WireFormat.IsNewer(part.Sequence, current.Sequence))
            {
                Interlocked.Increment(ref datagramsStale);
                return;
            }
            if (sameFrame && !Fits(part, data.Length)) return;
            Interlocked.Increment(ref datagramsAccepted);
            if (OnDatagram != null) OnDatagram(part);
            current = sameFrame ? Merge(current, part) : Begin(part);
            currentBytes = (sameFrame ? currentBytes : 0) + data.Length;
            Interlocked.Exchange(ref latest, current);
        }

        /// <summary>Whether a part of the current frame may join it; drops it (reported once) if not.</summary>
        bool Fits(PoseFrame part, int bytes)
        {
            if (part.Parts != current.Parts || part.StampSec != current.StampSec ||
                part.StampNanosec != current.StampNanosec || part.FrameId != current.FrameId)
            {
                Drop("inconsistent", "dropped a part that disagrees with its frame's header or part count");
            }
            else if (partsSeen[part.Part])
            {
                Drop("duplicate", "dropped a part that arrived already (duplicates add no people)");
            }
            else if (current.People.Length + part.People.Length > WireFormat.MaxPeoplePerFrame)
            {
                Drop("too many people", "dropped a part: its frame would hold more than " +
                    WireFormat.MaxPeoplePerFrame + " people");
            }
            else if (currentBytes + bytes > WireFormat.MaxFrameBytes)
            {
                Drop("too many bytes", "dropped a part: its frame's datagrams would take more than " +
                    WireFormat.MaxFrameBytes + " bytes");
            }
            else
            {
                return true;
            }
            return false;
        }

        PoseFrame Begin(PoseFrame part)
        {
            partsSeen = new bool[part.Parts];
            partsSeen[part.Part] = true;
            return part;
        }

        PoseFrame Merge(PoseFrame frame, PoseFrame part)
        {
            partsSeen[part.Part] = true;
            var people = new PersonPose[frame.People.Length + part.People.Length];
            frame.People.CopyTo(people, 0);
            part.People.CopyTo(people, frame.People.Length);
            var merged = frame.ShallowCopy();
            merged.People = people;
            merged.PartsReceived = frame.PartsReceived + 1;
            return merged;
        }

        /// <summary>Stop the receive thread and close the socket.</summary>
        public void Dispose()
        {
            var closing = Interlocked.Exchange(ref client, null);
            if (closing != null) closing.Close();
            if (thread != null) thread.Join(1000);
        }
    }
}
