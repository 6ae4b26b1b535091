// Draws the network shown in the tables below it. The tables are the accessible equivalent and the whole
// of the page without JavaScript; the drawing adds a picture for sighted users and says so to others.
import cytoscape from '../cytoscape/cytoscape.esm.min.mjs'

const data = document.getElementById('network-data')
const box = document.getElementById('network-drawing')
if (data && box) {
  const graph = JSON.parse(data.textContent)
  const colours = { nominal: '#1d70b8', associate: '#505a5f', group: '#d4351c' }
  box.hidden = false
  cytoscape({
    container: box.querySelector('.app-network-canvas'),
    elements: [
      ...graph.nodes.map((n) => ({ data: n })),
      ...graph.edges.map((e) => ({ data: e }))
    ],
    layout: { name: graph.layout || 'cose', animate: false, randomize: false },
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'font-size': 10,
          'background-color': (n) => colours[n.data('kind')] || '#0b0c0c',
          shape: (n) => (n.data('kind') === 'group' ? 'round-rectangle' : 'ellipse'),
          'border-width': (n) => (n.data('centre') ? 4 : n.data('custody') ? 2 : 0),
          'border-color': '#ffdd00'
        }
      },
      {
        selector: 'edge',
        style: {
          width: 2,
          'line-color': '#b1b4b6',
          'line-style': (e) => (e.data('custody') ? 'dashed' : 'solid')
        }
      }
    ]
  })
}
