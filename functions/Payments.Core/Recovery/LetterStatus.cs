using Azure;
using Azure.Data.Tables;
using Payments.Hosting;

namespace Payments.Recovery;

public enum LetterStatus { Parked, Redriven, Discarded }
