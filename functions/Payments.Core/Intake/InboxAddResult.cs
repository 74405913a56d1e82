using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Payments.Hosting;

namespace Payments.Intake;

public enum InboxAddResult
{
    Added,
    Duplicate,
}
