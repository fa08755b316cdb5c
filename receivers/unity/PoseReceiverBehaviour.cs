// Thin Unity component around PoseReceiver: starts it with the component, takes the newest
// frame each Update and exposes it, with a helper from image pixels to Unity's axes.
// Not compiled in this repository's tests (UnityEngine is not available there); PoseReceiver.cs,
// which holds all the logic, is.
using UnityEngine;

namespace PoseEstimationRos
{
    public sealed class PoseReceiverBehaviour : MonoBehaviour
    {
        [Tooltip("UDP port the udp_bridge_node sends to")]
        public int port = 4900;
        [Tooltip("Multicast group to join; empty for unicast or broadcast")]
        public string multicastGroup = "";
        [Tooltip("Local address to listen on; empty: 127.0.0.1 (0.0.0.0 with a multicast group). " +
            "0.0.0.0 takes datagrams from other hosts: set sender too")]
        public string bindAddress = "";
        [Tooltip("HOST[:PORT] of the bridge: datagrams from anyone else are dropped; empty: any")]
        public string sender = "";

        /// <summary>The newest frame (parts of it received so far); null until one arrives.</summary>
        public PoseFrame Latest { get; private set; }

        PoseReceiver receiver;

        void OnEnable()
        {
            receiver = new PoseReceiver(port, bindAddress, multicastGroup, null, sender);
            receiver.OnWarning = Debug.LogWarning;
            receiver.Start();
        }

        void Update()
        {
            PoseFrame frame;
            if (receiver.TryTakeLatest(out frame)) Latest = frame;
        }

        void OnDisable()
        {
            receiver.Dispose();
            receiver = null;
        }

        /// <summary>
        /// Keypoint k of a person as a point on a plane in Unity's axes (x right, y up):
        /// image pixels have their origin top-left with y down, so y is flipped; the result is
        /// in units of image height, centred on the image centre.
        /// </summary>
        public static Vector3 ToUnity(PoseFrame frame, PersonPose person, int k)
        {
            float x = person.Keypoints[WireFormat.ValuesPerKeypoint * k];
            float y = person.Keypoints[WireFormat.ValuesPerKeypoint * k + 1];
            float scale = 1f / Mathf.Max(1f, frame.Height);
            return new Vector3((x - 0.5f * frame.Width) * scale, (0.5f * frame.Height - y) * scale, 0f);
        }
    }
}
