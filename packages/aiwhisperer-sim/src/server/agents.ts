/** AIWhisperer's agents: single-letter ids. */
export interface AgentInfo {
  agentId: string;
  name: string;
  role: string;
  description: string;
}

export const AGENTS: readonly AgentInfo[] = [
  { agentId: 'a', name: 'Alice', role: 'assistant', description: 'General assistant; hands work to specialists' },
  { agentId: 'p', name: 'Patricia', role: 'planner', description: 'Writes RFCs and turns them into plans' },
  { agentId: 't', name: 'Tessa', role: 'tester', description: 'Writes and runs tests' },
  { agentId: 'e', name: 'Eamonn', role: 'executor', description: 'Executes plans step by step' },
  { agentId: 'd', name: 'Debbie', role: 'debugger', description: 'Watches sessions and unsticks them' },
];

export function findAgent(agentId: string): AgentInfo | undefined {
  return AGENTS.find((a) => a.agentId === agentId);
}
